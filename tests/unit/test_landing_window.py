"""What one extraction reads: from the watermark less the lookback, everything the first time, the first run's
window again on a re-run, never past the night."""

from __future__ import annotations

from datetime import datetime, timedelta

from onestop.extract.landing import EPOCH, extraction_window
from onestop.night import Night

NIGHT = Night.of("2025-06-10")
LOOKBACK = timedelta(days=2)


def test_an_ordinary_night_reads_back_from_its_watermark() -> None:
    assert extraction_window(NIGHT.end, LOOKBACK, watermark=datetime(2025, 6, 10)) == (
        datetime(2025, 6, 8),
        datetime(2025, 6, 11),
    )


def test_a_first_run_reads_everything_and_a_rerun_reads_what_the_first_read() -> None:
    assert extraction_window(NIGHT.end, LOOKBACK) == (EPOCH, NIGHT.end)
    first = datetime(2025, 6, 7, 12)
    assert extraction_window(NIGHT.end, LOOKBACK, watermark=datetime(2025, 6, 20), replayed_start=first) == (
        first,
        NIGHT.end,
    )


def test_a_backfilled_night_behind_the_watermark_reads_an_empty_window_at_its_end() -> None:
    start, end = extraction_window(NIGHT.end, LOOKBACK, watermark=datetime(2025, 6, 20))
    assert start == end == NIGHT.end
