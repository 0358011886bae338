"""Telling the data engineers that a night failed or is incomplete, through Airflow's own means.

Used as Airflow failure callbacks and by the night's summary. Where to: `ONESTOP_ALERT_WEBHOOK` (a URL that
receives a JSON POST: Slack-, Teams- or Mattermost-compatible `text`) and/or `ONESTOP_ALERT_EMAIL` (comma-separated
addresses, sent with Airflow's configured e-mail backend). With neither set the alert is only logged.
"""

from __future__ import annotations

import logging

from onestop.settings import settings

log = logging.getLogger(__name__)


def notify(subject: str, body: str) -> list[str]:
    """Send the alert everywhere configured; return where it went (never raises: an alert must not fail a run)."""
    sent = []
    webhook = settings().alert_webhook
    if webhook:
        try:
            import httpx

            httpx.post(
                webhook, json={"text": f"*{subject}*\n{body}", "subject": subject, "body": body}, timeout=10
            ).raise_for_status()
            sent.append("webhook")
        except Exception as error:  # noqa: BLE001 (an alert path must never raise)
            log.error("onestop alert webhook failed: %s", error)
    emails = settings().alert_emails
    if emails:
        try:
            from airflow.utils.email import send_email

            send_email(list(emails), subject, f"<pre>{body}</pre>")
            sent.append("email")
        except Exception as error:  # noqa: BLE001
            log.error("onestop alert e-mail failed: %s", error)
    log.warning("onestop alert: %s\n%s", subject, body)
    return sent


def night_named(interval_start) -> str:
    """The night a run's data interval stands for, as people in the province name it: the local
    (Asia/Ho_Chi_Minh) day, not the UTC instant the interval starts at (17:00 the day before)."""
    if interval_start is None:
        return "?"
    from onestop.night import Night

    return str(Night.of_interval(interval_start))


def on_task_failure(context) -> None:
    """Airflow `on_failure_callback` for a task: names the DAG, task (and system), night and reason."""
    ti = context.get("task_instance") or context.get("ti")
    exception = context.get("exception")
    night = night_named(context.get("data_interval_start"))
    system = ""
    if ti is not None and getattr(ti, "map_index", -1) not in (-1, None):
        system = f" [{getattr(ti, 'rendered_map_index', None) or ti.map_index}]"
    subject = f"onestop: {getattr(ti, 'task_id', '?')}{system} failed for the night of {night}"
    notify(subject, f"DAG {getattr(ti, 'dag_id', '?')}, run {getattr(ti, 'run_id', '?')}\n{exception}")


def on_dag_failure(context) -> None:
    run = context.get("dag_run")
    night = night_named(context.get("data_interval_start") or getattr(run, "data_interval_start", None))
    subject = (
        f"onestop: the night of {night} failed (run {getattr(run, 'run_id', '?')} of {getattr(run, 'dag_id', '?')})"
    )
    notify(subject, str(context.get("reason") or context.get("exception") or "see the Airflow UI"))
