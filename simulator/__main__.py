"""`python -m simulator`: the demo province's command."""

import sys

from simulator.cli import main

sys.exit(main())
