"""The working-day calendar of metrics.md, in Python.

Working days are Monday to Friday, except Vietnam's public holidays (from the `holidays` package, which knows
the lunar ones and some announced swaps), plus each year's official exceptions from
`dbt_project/seeds/calendar_exceptions.csv` (make-up Saturdays worked, extra days off). The same seed feeds dbt's
`dim_date`, so a year's announcement is added once, as rows.

Office hours are 07:30-17:00. "N working days from t" ends at 17:00 on the N-th working day after the day the
clock starts; a dossier received outside office hours (or after its procedure's cut-off) starts its clock at
the next opening.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import holidays

from onestop.settings import PROJECT_ROOT

EXCEPTIONS_CSV = PROJECT_ROOT / "dbt_project" / "seeds" / "calendar_exceptions.csv"
OPENING = time(7, 30)
CLOSING = time(17, 0)
FIRST_YEAR, LAST_YEAR = 2020, 2035


@cache
def _exceptions(path: Path = EXCEPTIONS_CSV) -> dict[date, bool]:
    with open(path, encoding="utf-8") as handle:
        return {date.fromisoformat(row["day"]): row["is_working_day"] == "true" for row in csv.DictReader(handle)}


@cache
def public_holidays() -> dict[date, str]:
    return dict(holidays.country_holidays("VN", years=range(FIRST_YEAR, LAST_YEAR + 1)))


@cache
def is_working_day(day: date) -> bool:
    exceptions = _exceptions()
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5 and day not in public_holidays()


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def clock_start(received: datetime, cutoff: time | None = None) -> datetime:
    """When the statutory clock starts for something received at `received`."""
    closing = min(CLOSING, cutoff) if cutoff else CLOSING
    day = received.date()
    if is_working_day(day):
        if received.time() < OPENING:
            return datetime.combine(day, OPENING)
        if received.time() < closing:
            return received
    return datetime.combine(next_working_day(day), OPENING)


def add_working_days(start_day: date, days: int) -> date:
    """The N-th working day after `start_day` (N = 0: `start_day` itself)."""
    day = start_day
    for _ in range(days):
        day = next_working_day(day)
    return day


def due_after(received: datetime, days: int, cutoff: time | None = None) -> datetime:
    """17:00 on the N-th working day after the day the clock starts."""
    start = clock_start(received, cutoff)
    return datetime.combine(add_working_days(start.date(), days), CLOSING)


def working_days_between(earlier: date, later: date) -> int:
    """Working days after `earlier` up to and including `later` (0 when later <= earlier)."""
    count, day = 0, earlier
    while day < later:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
