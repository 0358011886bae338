"""The monthly emulation-and-reward report: on the 1st at 06:00 local, for the previous month, once the gate has
judged that month's last night. Declarations only; the work is in onestop.report."""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable, dag, get_current_context, task

from onestop.night import LOCAL_TZ_NAME

DOC = """
### onestop monthly report

Builds the workbook and the HTML report of **the previous month** (units as they were, and as they are today),
records each in `audit.report_runs` (listed to BI as `marts.report_runs`). It waits, by rescheduling itself, until
the nightly gate has judged the month's last night (`marts.night_completeness`): never a fixed delay. Re-running a
month replaces its files and record; `onestop report --month YYYY-MM [--as-is]` does the same by hand.
"""


def _month():
    from onestop.quality.publish import month_reported

    return month_reported(get_current_context()["logical_date"])


@dag(
    dag_id="onestop_monthly_report",
    schedule=CronTriggerTimetable("0 6 1 * *", timezone=LOCAL_TZ_NAME),
    catchup=False,
    max_active_runs=1,
    tags=["onestop", "report", "monthly"],
    doc_md=DOC,
    default_args={"owner": "onestop-data-engineering", "retries": 1, "retry_delay": timedelta(minutes=10)},
)
def onestop_monthly_report():
    @task.sensor(poke_interval=600, timeout=timedelta(days=3).total_seconds(), mode="reschedule")
    def month_judged() -> bool:
        """True once the nightly gate left its verdict on the month's last night."""
        from onestop.quality.publish import last_night_judged

        return last_night_judged(_month())

    @task
    def build_report(view: str) -> dict:
        from onestop.report.build import build

        report = build(_month(), view)
        return {
            "month": f"{report.month:%Y-%m}",
            "view": view,
            "verdict": report.verdict,
            "xlsx": str(report.workbook),
            "html": str(report.html),
            "pdf": str(report.pdf) if report.pdf else None,
        }

    month_judged() >> build_report.expand(view=["as_was", "as_is"])


onestop_monthly_report()
