"""What every test shares: no telemetry from any library. The warehouse, Airflow and the simulated provinces
belong to the end-to-end tests (tests/e2e/conftest.py); tests/unit needs none of them."""

from __future__ import annotations

import os

from onestop.settings import QUIET_ENV

for _key, _value in QUIET_ENV.items():
    os.environ.setdefault(_key, _value)
