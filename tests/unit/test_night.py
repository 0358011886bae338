"""The night every task is keyed on, and the month arithmetic around it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from onestop.night import LOCAL_TZ, Night, month_end, next_month, previous_month


def test_a_runs_data_interval_names_its_local_night() -> None:
    # The run for the night of 25 Nov 2026 starts its interval at local midnight: 17:00 UTC the day before.
    utc = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert Night.of_interval(utc) == Night(date(2026, 11, 25))
    assert Night.of_interval(datetime(2026, 11, 25, 0, 0, tzinfo=LOCAL_TZ)).day == date(2026, 11, 25)
    assert Night.of_interval(datetime(2026, 11, 25, 0, 0)) == Night(date(2026, 11, 25))  # naive: local already


def test_interval_month_and_neighbours() -> None:
    night = Night.of("2025-06-30")
    assert (night.start, night.end) == (datetime(2025, 6, 30), datetime(2025, 7, 1))
    assert night.last_second == datetime(2025, 6, 30, 23, 59, 59)
    assert night.month == date(2025, 6, 1) and night.is_last_of_month and not night.previous().is_last_of_month
    assert night.next() == Night(date(2025, 7, 1)) and str(night) == "2025-06-30"
    assert Night.of(night) is night and Night.of(date(2025, 6, 30)) == night
    assert Night.last_of(date(2024, 2, 1)) == Night(date(2024, 2, 29))
    with pytest.raises(ValueError):
        Night.of("2025-06-31")


@pytest.mark.parametrize(
    ("month", "before", "after", "last"),
    [
        (date(2025, 1, 1), date(2024, 12, 1), date(2025, 2, 1), date(2025, 1, 31)),
        (date(2025, 3, 15), date(2025, 2, 1), date(2025, 4, 1), date(2025, 3, 31)),
        (date(2025, 12, 1), date(2025, 11, 1), date(2026, 1, 1), date(2025, 12, 31)),
    ],
)
def test_month_helpers(month, before, after, last) -> None:
    assert previous_month(month) == before and next_month(month) == after and month_end(month) == last
