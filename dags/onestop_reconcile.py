"""onestop_reconcile: every week, each system's whole key set and change times against what landed.
Declarations only: the work is in `onestop.extract.reconcile`."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import CronTriggerTimetable, TriggerRule, dag, task

from onestop.night import LOCAL_TZ_NAME
from onestop.settings import SOURCES_POOL

DOC = """
### onestop reconcile

Sundays at 12:00 Asia/Ho_Chi_Minh (away from the nightly run), one mapped task per enabled system: everything the
system holds now (keys and change times) against what landed in `raw`. Changes that never landed (**lost**) move
the system's watermark back, so the next night re-reads them through the ordinary path; keys gone from the system
(**deleted**) and change times moved backwards (**backward edits**) are recorded. Every finding is in
`audit.reconciliation_findings`; differences alert. By hand: `onestop reconcile [--system S]`.
"""


@dag(
    dag_id="onestop_reconcile",
    schedule=CronTriggerTimetable("0 12 * * 0", timezone=LOCAL_TZ_NAME),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["onestop", "extraction", "weekly"],
    doc_md=DOC,
    default_args={"owner": "onestop-data-engineering", "retries": 1, "retry_delay": timedelta(minutes=10)},
)
def onestop_reconcile():
    @task(retries=0)
    def systems() -> list[str]:
        from onestop import registry

        return [s.id for s in registry.load().enabled_systems()]

    @task(pool=SOURCES_POOL, map_index_template="{{ system_id }}", execution_timeout=timedelta(hours=4))
    def reconcile(system_id: str) -> dict:
        from onestop.extract.nightly import reconcile_system

        return reconcile_system(system_id)

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def report(results: list[dict]) -> list[str]:
        from onestop.extract.nightly import report_reconciliation

        return report_reconciliation([r for r in results if r])

    report(reconcile.expand(system_id=systems()))


onestop_reconcile()
