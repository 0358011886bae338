"""`dbt_project/seeds/public_holidays.csv` from the `holidays` package: dbt cannot run Python, so the package's
Vietnamese holidays are written as a seed (`onestop calendar seed`), and a test keeps it equal to the package."""

from __future__ import annotations

import csv
import io

from onestop.settings import PROJECT_ROOT
from simulator.calendar import public_holidays

SEED = PROJECT_ROOT / "dbt_project" / "seeds" / "public_holidays.csv"


def render() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["day", "name"])
    for day, name in sorted(public_holidays().items()):
        writer.writerow([day.isoformat(), name])
    return buffer.getvalue()


def write() -> None:
    SEED.write_text(render(), encoding="utf-8")
