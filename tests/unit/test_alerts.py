"""Alerts name the night as the province does: its local day, not the UTC instant its interval starts at."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace

from onestop.alerts import night_named, on_dag_failure, on_task_failure

# The run for the night of 25 Nov 2026: its interval starts at local midnight, 17:00 UTC on the 24th.
INTERVAL_START = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


def test_the_night_is_the_local_day() -> None:
    assert night_named(INTERVAL_START) == "2026-11-25"
    assert night_named(None) == "?"


def test_task_and_run_alerts_name_the_local_night(caplog, monkeypatch) -> None:
    for name in ("ONESTOP_ALERT_WEBHOOK", "ONESTOP_ALERT_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    ti = SimpleNamespace(
        task_id="extract",
        map_index=2,
        rendered_map_index="songcau",
        dag_id="onestop_nightly",
        run_id="scheduled__2026-11-24T18:00:00+00:00",
    )
    run = SimpleNamespace(run_id=ti.run_id, dag_id=ti.dag_id, data_interval_start=INTERVAL_START)
    with caplog.at_level(logging.WARNING, logger="onestop.alerts"):
        on_task_failure({"ti": ti, "exception": RuntimeError("HTTP 503"), "data_interval_start": INTERVAL_START})
        on_dag_failure({"dag_run": run, "reason": "task_failure"})
    subjects = [record.getMessage().splitlines()[0] for record in caplog.records]
    assert subjects == [
        "onestop alert: onestop: extract [songcau] failed for the night of 2026-11-25",
        "onestop alert: onestop: the night of 2026-11-25 failed (run scheduled__2026-11-24T18:00:00+00:00 of"
        " onestop_nightly)",
    ]
    assert "17:00" not in " ".join(subjects)
