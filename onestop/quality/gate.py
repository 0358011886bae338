"""Run the gate for one night: every suite through a GX checkpoint against the warehouse, results stored, Data
Docs rendered, the verdict on the night and its months written for reports and BI."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from onestop.night import Night
from onestop.quality import batches, data_docs
from onestop.quality import suites as suite_files
from onestop.quality.results import Finding, GateFailed, GateResult
from onestop.quality.verdict import write_verdict
from onestop.settings import GX_URL_VAR, apply_quiet_env, state_dir
from onestop.warehouse import sqlalchemy_url
from onestop.warehouse.credentials import login_url

log = logging.getLogger(__name__)

ROLE = "onestop_transformer"


def gx_root() -> Path:
    return state_dir() / "gx"


SITE = "uncommitted/data_docs/local_site/"  # GX's default place, under the context


def data_docs_index() -> Path:
    return gx_root() / "gx" / SITE / "index.html"


def marts_tables(conn, schema: str = "marts") -> dict[str, dict[str, str]]:
    """The marts tables, each with its columns in order and their types (an incremental model's rows carry
    `refreshed_at`)."""
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in conn.execute(
        "select c.table_name, c.column_name, c.data_type from information_schema.columns as c inner join pg_tables"
        " as t on c.table_schema = t.schemaname and c.table_name = t.tablename"
        " where c.table_schema = %s order by c.table_name, c.ordinal_position",
        (schema,),
    ).fetchall():
        tables.setdefault(table, {})[column] = data_type
    return tables


def validate(night: Night, run_id: str, marts_built: bool = True) -> GateResult:
    """Run every suite for `night` (only the landing's when the night's marts were not rebuilt); nothing is
    written to the warehouse yet."""
    apply_quiet_env()
    url = login_url(ROLE)
    with psycopg.connect(url) as conn:
        batches.read_in_parallel(conn)
        names = suite_files.SUITE_ORDER if marts_built else suite_files.LANDING_SUITES
        # Read once, not once per metric.
        loaded = suite_files.load(night, marts_tables(conn), names=names, freeze=lambda q: batches.frozen(conn, q))
    # GX prints (to stdout, on every construction of a query expectation) that a query without `{batch}` may read
    # outside its batch — ours read exactly what they name — and draws progress bars: neither is for a reader of
    # the night's output. What it printed goes to the debug log.
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        outcome = _run_checkpoint(url, loaded, night.day.isoformat(), marts_built)
    if printed.getvalue():
        log.debug("GX printed: %s", printed.getvalue())
    findings = []
    for validation in outcome.run_results.values():
        suite_name = validation.suite_name
        for result in validation.results:
            findings.append(finding(suite_name, result))
    return GateResult(night, run_id, findings, data_docs_index(), marts_built)


def _run_checkpoint(url: str, loaded: list, night_name: str, marts_built: bool):
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # Checks run as the transformer's own login (read access to raw, staging, marts and audit), never the owner.
    os.environ[GX_URL_VAR] = sqlalchemy_url(url)
    context = gx.get_context(mode="file", project_root_dir=str(gx_root()))
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    # Data Docs that work offline and phone nobody (onestop/quality/data_docs.py).
    site = data_docs.site_config(Path(SITE))
    if context.get_site_names() == ["local_site"]:
        context.update_data_docs_site("local_site", site)
    else:
        context.add_data_docs_site("local_site", site)
    templates_changed = data_docs.prepare(gx_root())
    source = context.data_sources.add_or_update_postgres(name="warehouse", connection_string=f"${{{GX_URL_VAR}}}")
    definitions = []
    for suite in loaded:
        asset = source.add_query_asset(name=suite.name, query=suite.asset_query)
        batch = asset.add_batch_definition_whole_table("night")
        gx_suite = context.suites.add_or_update(gx.ExpectationSuite(**suite.definition))
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"{suite.name}_night", data=batch, suite=gx_suite)
            )
        )
    # One checkpoint per set of suites. A stored checkpoint naming an asset this run did not declare (a suite
    # since removed) cannot load, and GX fails before it would overwrite it: such a leftover is forgotten.
    name = "onestop_gate" if marts_built else "onestop_gate_landing"
    try:
        context.checkpoints.get(name)
    except Exception:  # GX raises pydantic's error on a stale checkpoint, its own when there is none
        (gx_root() / "gx" / "checkpoints" / f"{name}.json").unlink(missing_ok=True)
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=definitions,
            actions=[UpdateDataDocsAction(name="data_docs")],
            # Every batch has a row per system: failures are named by it (the verdict is per system).
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["system_id"]},
        )
    )
    # Runs are listed by night (the run time tells a night's tries apart); the Airflow run id is in the audit.
    # A run time of its own: GX would read one from a name that parses as a date, and a night's tries would collide.
    run_time = datetime.now(UTC)
    outcome = checkpoint.run(run_id=gx.RunIdentifier(run_name=night_name, run_time=run_time))
    if templates_changed:  # first run here, or GX or onestop changed them: every page of the site anew, once
        context.build_data_docs(site_names=["local_site"])
    data_docs.install_assets(data_docs_index().parent)
    return outcome


def finding(suite: str, result) -> Finding:
    config = result.expectation_config
    declared = getattr(config, "severity", "critical")  # GX's FailureSeverity enum (its str() is the name)
    severity = "warning" if str(getattr(declared, "value", declared)).lower() == "warning" else "error"
    details = result.result or {}
    # A built-in expectation names its failing rows by the batch's index column (the system) with the value it
    # judged; the identifier scan's query returns its rows whole.
    rows = list(details.get("unexpected_index_list") or (details.get("details") or {}).get("unexpected_rows") or [])
    observed = details.get("observed_value", details.get("unexpected_count"))
    description = config.description or ""
    failure = _exception(result.exception_info)
    if failure:
        observed = f"error: {failure}"
    return Finding(
        suite=suite,
        expectation=(config.meta or {}).get("name", config.type),
        severity=severity,
        success=bool(result.success),
        observed=None if observed is None else str(observed),
        rows=[{k: _plain(v) for k, v in dict(r).items()} for r in rows[:50]],
        description=description,
        label=(config.meta or {}).get("label_vi", ""),
    )


def _exception(info) -> str | None:
    """The message of an expectation that could not run (GX keeps it per metric, or flat)."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [e.get("exception_message") for e in entries if isinstance(e, dict) and e.get("raised_exception")]
    return "; ".join(str(m) for m in messages if m) or None


def _plain(value):
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def store(result: GateResult) -> None:
    start = result.night.start
    with psycopg.connect(login_url(ROLE)) as conn:
        conn.execute(
            "delete from audit.quality_results where interval_start = %s and run_id = %s", (start, result.run_id)
        )
        with conn.cursor() as cur:
            cur.executemany(
                "insert into audit.quality_results (run_id, interval_start, suite, expectation, severity, success,"
                " observed_value, details) values (%s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
                [
                    (
                        result.run_id,
                        start,
                        f.suite,
                        f.expectation,
                        f.severity,
                        f.success,
                        f.observed,
                        json.dumps(
                            {"description": f.description, "label_vi": f.label, "unexpected_rows": f.rows},
                            ensure_ascii=False,
                        ),
                    )
                    for f in result.findings
                ],
            )
        write_verdict(conn, result)


def run_gate(
    night: Night,
    run_id: str,
    fail_on_error: bool = True,
    marts_built: bool = True,
    failed_builds: Sequence[str] = (),
) -> GateResult:
    """The nightly gate task: validate, store, and fail listing the failed expectations when any error-level one
    failed (warnings are recorded and shown, never fail). When dbt tasks failed (`failed_builds`) the marts are
    not the night's: the landing alone is judged and the failure is an error of the night for every system."""
    built = marts_built and not failed_builds
    result = validate(night, run_id, built)
    if failed_builds:
        result.findings.append(
            Finding(
                suite="marts",
                expectation="dbt_build",
                severity="error",
                success=False,
                observed=", ".join(failed_builds),
                description=f"dbt failed ({len(failed_builds)} task(s)): the marts do not hold this night.",
            )
        )
    store(result)
    for warning in result.warnings:
        log.warning("gate warning: %s", warning.line())
    if result.errors and fail_on_error:
        raise GateFailed(
            f"quality gate failed for the night of {night}: {len(result.errors)} expectation(s)\n"
            + "\n".join(f"- {f.line()}" for f in result.errors)
            + f"\nData Docs: {result.docs}"
        )
    return result
