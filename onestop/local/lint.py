"""`make lint`'s SQL half: sqlfluff with dbt's templater (`.sqlfluff`) over `dbt_project/`, and with the
placeholder templater over the gate's batch queries in `expectations/` (`expectations/.sqlfluff`).

dbt's templater compiles each model, and `is_incremental()` asks the database whether the model's table exists:
it needs a warehouse to connect to. On this machine that is the embedded server (started and bootstrapped here,
or the one `ONESTOP_WAREHOUSE_URL` names); dbt reaches it through the profile's variables, as in a run.
"""

from __future__ import annotations

import os
import subprocess
import sys

from onestop import local
from onestop.settings import PROJECT_ROOT
from onestop.transform import dbt_env


def main(argv: list[str]) -> int:
    server = None if local.is_external() or local.embedded().running() else local.embedded()
    try:
        local.init_warehouse()
        sqlfluff = os.path.join(os.path.dirname(sys.executable), "sqlfluff")
        verb = argv or ["lint"]
        # Macros are linted where models and tests use them; dbt compiles as it runs: the transformer's own login.
        dbt = [sqlfluff, *verb, "dbt_project/models", "dbt_project/tests"]
        gate = [sqlfluff, *verb, "expectations", "--templater", "placeholder"]
        codes = [subprocess.run(c, cwd=PROJECT_ROOT, env={**os.environ, **dbt_env()}).returncode for c in (dbt, gate)]
        return max(codes)
    finally:
        if server is not None:  # started for the lint alone: not left running
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
