"""onestop_nightly: every night, every enabled system, into the warehouse. Declarations only: the work is in
`onestop.extract` (no database, network or heavy import at this file's top level)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import Asset, CronTriggerTimetable, Param, TriggerRule, dag, get_current_context, task

from onestop.night import LOCAL_TZ_NAME
from onestop.settings import SOURCES_POOL, TRANSFORM_POOL, settings

# Updated when a night's marts and the gate's verdict on them stand; the monthly report follows it.
GATED_MARTS = Asset("onestop_gated_marts", uri="postgres://warehouse:5432/onestop/marts/night_completeness")

DOC = """
### onestop nightly

Runs at 01:00 Asia/Ho_Chi_Minh for **the previous local day** (the run's data interval starts at that day's
midnight). One mapped `extract` task per enabled system of the registry (`ONESTOP_REGISTRY`), read at run time;
at most `onestop_sources` pool slots connect to source systems at once. A system that fails (after retries with
backoff) never stops the others: `summarize_night` records which systems delivered in `audit.nights`, and what
follows knows which are missing. Failures and incomplete nights alert through `ONESTOP_ALERT_WEBHOOK` /
`ONESTOP_ALERT_EMAIL`.

Re-running a night, or `airflow backfill create` over a range, replaces each (system, night) batch in one
transaction: the warehouse ends as one run would leave it.

The `dbt` group builds the marts incrementally (only the dossiers that changed, and those still open); trigger
with `{"full_refresh": true}` after the units or procedures catalogue changed, to rebuild everything from raw.
"""


def _alert(context) -> None:
    from onestop.alerts import on_task_failure

    on_task_failure(context)


def _dag_alert(context) -> None:
    from onestop.alerts import on_dag_failure

    on_dag_failure(context)


def _night():
    """The night this run extracts (a `Night`), from the run's data interval: every task is keyed on it."""
    from onestop.night import Night

    return Night.of_interval(get_current_context()["data_interval_start"])


@dag(
    dag_id="onestop_nightly",
    # The data interval starts at the previous local midnight; the run starts at 01:00.
    schedule=CronTriggerTimetable("0 1 * * *", timezone=LOCAL_TZ_NAME, interval=timedelta(days=1, hours=1)),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["onestop", "extraction", "nightly"],
    doc_md=DOC,
    default_args={
        "owner": "onestop-data-engineering",
        "retries": settings().task_retries,
        "retry_delay": timedelta(seconds=settings().retry_delay_seconds),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
        "on_failure_callback": _alert,
    },
    on_failure_callback=_dag_alert,
    params={
        "transform": Param(True, type="boolean", description="build the marts (dbt) after extraction"),
        "full_refresh": Param(
            False, type="boolean", description="rebuild every incremental model from raw (after reference changes)"
        ),
        "whole_table_tests": Param(
            False,
            type="boolean",
            description="test whole tables, not only the rows the build wrote (done anyway on Sundays' runs)",
        ),
    },
)
def onestop_nightly():
    @task(retries=0)
    def plan_night() -> list[dict]:
        from onestop.extract.nightly import plan

        return plan()

    @task
    def load_reference() -> dict:
        from onestop.extract.reference import load_reference

        return load_reference()

    @task(pool=SOURCES_POOL, map_index_template="{{ system.id }}", execution_timeout=timedelta(hours=2))
    def extract(system: dict) -> dict:
        from onestop.extract.nightly import extract_system

        context = get_current_context()
        return extract_system(system["id"], _night(), context["ti"].try_number, context["run_id"])

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def summarize_night() -> dict:
        from onestop.extract.nightly import summarize

        return summarize(_night())

    @task(retries=0)
    def transform_wanted() -> bool:
        """A backfill of many nights lands them all, then builds the marts once: run it with the conf
        {"transform": false} and the last night (or `onestop dbt build`) with the default. Skips every dbt task
        at once (the gate still judges the night's landing): a short-circuit would skip the build alone and leave
        the scheduler to walk the skip down the dbt graph, one level per pass."""
        from airflow.sdk.exceptions import DownstreamTasksSkipped

        context = get_current_context()
        if context["params"]["transform"]:
            return True
        raise DownstreamTasksSkipped(
            tasks=[task_id for task_id in context["dag"].task_ids if task_id.startswith("dbt.")]
        )

    @task(retries=0, trigger_rule=TriggerRule.ALL_DONE)
    def quality_gate() -> dict:
        """Great Expectations on the landing and the marts (the landing only when dbt did not run, or failed:
        the night's quarantines and deliveries are judged and reported whatever dbt did); fails listing the
        failed error-level expectations, and the dbt tasks that failed."""
        from onestop.quality.gate import run_gate

        context = get_current_context()
        states = (
            context["ti"]
            .get_task_states(dag_id=context["dag"].dag_id, run_ids=[context["run_id"]], task_group_id="dbt")
            .get(context["run_id"], {})
        )
        failed = sorted(task for task, state in states.items() if state in ("failed", "upstream_failed"))
        result = run_gate(_night(), context["run_id"], marts_built=context["params"]["transform"], failed_builds=failed)
        return {"passed": result.passed, "warnings": [f.line() for f in result.warnings], "docs": str(result.docs)}

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0, outlets=[GATED_MARTS])
    def publish() -> dict:
        """Tell what follows (the monthly report) that the night's marts and verdict stand, passed or not;
        skipped when the marts were not rebuilt (nothing new for the report)."""
        from airflow.sdk.exceptions import AirflowSkipException

        from onestop.quality.publish import verdict_of

        if not get_current_context()["params"]["transform"]:
            raise AirflowSkipException("the marts were not rebuilt (transform: false)")
        return verdict_of(_night())

    night = summarize_night()
    [load_reference(), extract.expand(system=plan_night())] >> night
    night >> transform_wanted() >> transform() >> quality_gate() >> publish()


def transform():
    """The dbt project as Airflow tasks, rendered by Cosmos from the manifest built ahead (`make` runs `dbt
    parse`), never by running dbt at parse time: in watcher mode one task runs the night's `dbt build` (one dbt
    process, not one per node) and every seed, model and model's tests has a task that shows its outcome."""
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    from onestop.orchestration import TESTS_SCOPE, quiet_cosmos_rendering

    quiet_cosmos_rendering()

    project = Path(__file__).resolve().parents[1] / "dbt_project"
    manifest = project / "target" / "manifest.json"
    if not manifest.exists():
        raise FileNotFoundError(f"{manifest} is missing: run `make dbt-manifest` (or `onestop dbt parse`)")
    group = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(dbt_project_path=project, manifest_path=manifest),
        profile_config=ProfileConfig(
            profile_name="onestop", target_name="warehouse", profiles_yml_filepath=project / "profiles.yml"
        ),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_EACH),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER, invocation_mode=InvocationMode.DBT_RUNNER
        ),
        operator_args={
            "full_refresh": "{{ params.full_refresh }}",
            # An ordinary night tests the rows the build wrote of the per-dossier chain; the run of Sunday morning,
            # a full refresh or a run asking for it tests whole tables (dbt_project/macros/tests_scope.sql).
            "vars": {"tests_scope": TESTS_SCOPE},  # onestop/orchestration.py
            # dbt's unit tests pin the rules on hand-made rows: the test suite runs them, the night need not.
            "dbt_cmd_flags": ["--exclude-resource-type", "unit_test"],
        },
        default_args={"retries": 0, "pool": TRANSFORM_POOL},
    )
    _after_the_build(group)
    return group


def _after_the_build(group) -> None:
    """Cosmos' watcher mode runs the night's selection as one `dbt build` (its producer task) and gives every node
    a task that reads the node's outcome from it. In a task group the first nodes' tasks would wait for the
    producer side by side, which a run that executes one task at a time (`dag.test`: the demo, the tests) never
    leaves: they come after it. They run whether the build passed or failed (a failed build still shows which node
    failed and which passed), and are skipped with it (a night without transform)."""
    nodes = {node.task_id: node for node in group.iter_tasks()}
    producer = nodes[f"{group.group_id}.dbt_producer_watcher"]
    roots = [
        node
        for node in nodes.values()
        if hasattr(node, "producer_task_id") and node is not producer and not (node.upstream_task_ids & nodes.keys())
    ]
    for node in roots:
        node.trigger_rule = TriggerRule.NONE_SKIPPED
    producer >> roots


onestop_nightly()
