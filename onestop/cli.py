"""The `onestop` command: the pipeline's verbs (dbt, gate, report, retention) and the local wing's (the embedded
warehouse, the demo, Airflow's UI on a laptop). The simulated province has its own: `python -m simulator`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from onestop.settings import apply_quiet_env


def _warehouse(args: argparse.Namespace) -> int:
    from onestop import local
    from onestop.warehouse import bootstrap

    server = local.embedded()
    if args.action in ("start", "stop", "status") and local.is_external():
        print(f"ONESTOP_WAREHOUSE_URL is set: the warehouse is external and not managed here ({args.action}).")
        return 0
    if args.action == "start":
        state = server.start()
        print(f"embedded PostgreSQL running on 127.0.0.1:{state.port} (data in {server.data})")
    elif args.action == "stop":
        print("stopped" if server.stop() else "not running")
    elif args.action == "status":
        running = server.running()
        state = server.state()
        where = f" on 127.0.0.1:{state.port}" if state and running else ""
        print(f"embedded PostgreSQL {'running' if running else 'stopped'}{where} (data in {server.data})")
        return 0 if running else 3
    elif args.action == "url":
        from onestop.warehouse.credentials import login_url

        url = local.use_embedded()
        print(login_url(f"onestop_{args.role}") if args.role else url)
    elif args.action == "init":
        try:
            done = local.init_warehouse(rotate_key=args.rotate_key, reset_passwords=args.reset_passwords)
        except bootstrap.BootstrapConflict as conflict:
            print(conflict)
            print("warehouse bootstrapped, but NOT everything configured was applied (see above)")
            return 1
        for line in done:
            print(line)
        print("warehouse bootstrapped")
    return 0


def _airflow(args: argparse.Namespace) -> int:
    from onestop.orchestration import init_airflow

    for line in init_airflow():
        print(line)
    return 0


def _night_run(args: argparse.Namespace) -> int:
    """One night through the real nightly DAG, as the scheduler would run it, with its summary."""
    import os

    from onestop import registry
    from onestop.orchestration import run_night

    if args.registry:
        os.environ["ONESTOP_REGISTRY"] = str(args.registry.resolve())
    registry.load()  # checked before anything runs
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")  # the summary says what happened
    ok, lines = run_night(args.date, {"transform": not args.no_transform, "full_refresh": args.full_refresh})
    for line in lines:
        print(line)
    return 0 if ok else 1


def _settings(args: argparse.Namespace) -> int:
    from onestop.settings import variables_table

    print(variables_table())
    return 0


def _demo(args: argparse.Namespace) -> int:
    from onestop.local.demo import run_demo

    return run_demo(external_warehouse=args.external_warehouse)


def _raw(args: argparse.Namespace) -> int:
    from datetime import date

    from onestop.extract.retention import purge
    from onestop.warehouse.credentials import login_url

    if args.action == "partition":
        from onestop import local
        from onestop.warehouse.partitions import PartitionRefused, partition_raw

        try:
            done = partition_raw(local.use_embedded())  # the owner's login: it replaces the tables
        except PartitionRefused as refused:
            print(f"onestop: nothing changed: {refused}", file=sys.stderr)
            return 1
        for line in done:
            print(line)
        return 0
    found = purge(
        login_url("onestop_loader"), date.today(), args.superseded_days, args.record_days, dry_run=args.dry_run
    )
    for what, count in found.items():
        print(f"{what}: {count} rows {'would be deleted (dry run: nothing deleted)' if args.dry_run else 'deleted'}")
    return 0


def _registry(args: argparse.Namespace) -> int:
    """Check a registry as the nightly DAG reads it, resolve each system's connection, say what a night reads."""
    from onestop import registry

    reg = registry.load(args.registry)
    units = {row["unit_code"] for row in reg.units()}
    print(f"{reg.path}: {reg.province_name or reg.province_code}, {len(reg.systems)} systems, {len(units)} units")
    missing = registry.unresolvable_connections(reg)
    for system in reg.systems:
        if system.kind == "csv_drop":
            source = f"folder {system.path}" + ("" if system.path.is_dir() else " (NOT FOUND)")
        else:
            source = f"connection {system.conn_id}" + (f" ({missing[system.id]})" if system.id in missing else "")
        state = "" if system.enabled else "   [disabled: not extracted]"
        print(f"  {system.id:<12} {system.kind:<11} {len(system.units):>3} units  {source}{state}")
    folders = [s for s in reg.enabled_systems() if s.kind == "csv_drop" and not s.path.is_dir()]
    if missing or folders:
        print(f"registry check FAILED: {len(missing) + len(folders)} enabled system(s) cannot be read")
        return 1
    print(f"registry check passed: a night extracts {len(reg.enabled_systems())} system(s)")
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    """Each system's whole key set against what landed; lost changes are re-read by the next night."""
    import os

    from onestop import registry
    from onestop.extract.nightly import reconcile_system, report_reconciliation

    if args.registry:
        os.environ["ONESTOP_REGISTRY"] = str(args.registry.resolve())
    reg = registry.load()
    systems = [reg.system(args.system)] if args.system else reg.enabled_systems()
    for line in report_reconciliation([reconcile_system(s.id) for s in systems]):
        print(line)
    return 0


def _dbt(args: argparse.Namespace) -> int:
    from onestop.transform import run_dbt

    return run_dbt(*args.dbt_args, check=False).returncode


def _report(args: argparse.Namespace) -> int:
    from onestop.report.build import build

    report = build(args.month, "as_is" if args.as_is else "as_was")
    print(f"{report.month:%Y-%m} ({report.view}): {report.units} units, data {report.verdict}")
    print(f"  workbook: {report.workbook}\n  HTML:     {report.html}\n  PDF:      {report.pdf or 'none (no Chromium)'}")
    return 0


def _gate(args: argparse.Namespace) -> int:
    from onestop.quality.gate import run_gate

    result = run_gate(args.night, f"manual__{args.night}", fail_on_error=False)
    for finding in result.errors + result.warnings:
        print(f"{finding.severity}: {finding.line()}")
    print(f"gate {'passed' if result.passed else 'FAILED'} for {args.night}; Data Docs: {result.docs}")
    return 0 if result.passed else 1


def _sigterm_as_ctrl_c() -> None:
    """A closed terminal or a process manager stops us with SIGTERM: unwind as Ctrl-C does, so every service this
    command started (in sessions of their own, which the signal does not reach) is stopped too."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _ui(args: argparse.Namespace) -> int:
    """Airflow's own UI on the embedded warehouse, with the demo's runs: api-server, scheduler, dag-processor."""
    import time

    from onestop import local
    from onestop.local.airflow_env import apply_airflow_environment
    from onestop.local.services import AirflowServices

    local.init_warehouse()  # idempotent: the roles' logins the tasks use exist before Airflow starts
    apply_airflow_environment()
    _sigterm_as_ctrl_c()
    with AirflowServices() as services:
        print(f"Airflow UI: {services.base_url}  (logs in {services.log_dir}); Ctrl-C stops it", flush=True)
        try:
            while all(p.poll() is None for p in services.processes.values()):
                time.sleep(2)
        except KeyboardInterrupt:
            pass
    return 0


def _bi(args: argparse.Namespace) -> int:
    """Superset on the warehouse's marts as onestop_bi, with the dashboard provisioned from bi/superset/assets/."""
    import time

    from onestop import local
    from onestop.local.superset import ADMIN, Superset

    local.use_embedded()
    superset = Superset(port=args.port)
    started = time.monotonic()
    superset.provision()
    _sigterm_as_ctrl_c()
    with superset:
        print(
            f"Superset: {superset.dashboard_url}  (user {ADMIN}, password in {superset.state / 'admin_password'};"
            f" ready in {time.monotonic() - started:.0f} s; logs in {superset.state}); Ctrl-C stops it",
            flush=True,
        )
        try:
            while superset.server is not None and superset.server.poll() is None:
                time.sleep(2)
        except KeyboardInterrupt:
            pass
    return 0


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("onestop")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month: expected YYYY-MM, e.g. 2025-07") from None


def _night(text: str):
    from onestop.night import Night

    try:
        return Night.of(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a night: expected YYYY-MM-DD, e.g. 2025-07-31") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onestop", description=__doc__)
    parser.add_argument("--version", action="version", version=f"onestop {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    wh = commands.add_parser("warehouse", help="the embedded warehouse (or the one ONESTOP_WAREHOUSE_URL names)")
    wh.add_argument("action", choices=["start", "stop", "status", "url", "init"])
    wh.add_argument("--role", choices=["loader", "transformer", "bi"], help="with url: connect as this role")
    wh.add_argument(
        "--rotate-key", action="store_true", help="with init: replace the pseudonymisation key (all pseudonyms change)"
    )
    wh.add_argument(
        "--reset-passwords", action="store_true", help="with init: set roles' passwords a previous init set differently"
    )
    wh.set_defaults(func=_warehouse)

    airflow = commands.add_parser("airflow", help="Airflow's metadata database and the pools the DAGs use")
    airflow.add_argument("action", choices=["init"])
    airflow.set_defaults(func=_airflow)

    night = commands.add_parser("night", help="run the nightly DAG for one night here, with its summary")
    night.add_argument("--date", type=_night, required=True, help="the night: YYYY-MM-DD (its local day)")
    night.add_argument("--registry", type=Path, help="the registry YAML (default: ONESTOP_REGISTRY)")
    night.add_argument("--no-transform", action="store_true", help="land only; the marts are not rebuilt")
    night.add_argument("--full-refresh", action="store_true", help="rebuild every incremental model from raw")
    night.set_defaults(func=_night_run)

    reg = commands.add_parser("registry", help="check the registry of source systems as the nightly DAG reads it")
    reg.add_argument("action", choices=["check"])
    reg.add_argument("--registry", type=Path, help="the registry YAML (default: ONESTOP_REGISTRY)")
    reg.set_defaults(func=_registry)

    rec = commands.add_parser(
        "reconcile", help="compare each system's keys and change times with what landed (weekly in Airflow)"
    )
    rec.add_argument("--system", help="one system's id (default: every enabled system)")
    rec.add_argument("--registry", type=Path, help="the registry YAML (default: ONESTOP_REGISTRY)")
    rec.set_defaults(func=_reconcile)

    settings = commands.add_parser("settings", help="every ONESTOP_* variable, its default and meaning (Markdown)")
    settings.set_defaults(func=_settings)

    raw = commands.add_parser(
        "raw", help="the landing: purge what is past retention; partition an older warehouse's raw by month (once)"
    )
    raw.add_argument("action", choices=["purge", "partition"])
    raw.add_argument("--superseded-days", type=int, default=400, help="keep superseded versions this long")
    raw.add_argument("--record-days", type=int, default=1830, help="keep records unchanged this long")
    raw.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    raw.set_defaults(func=_raw)

    dbt = commands.add_parser("dbt", help="run dbt in dbt_project/ against the warehouse (as the transformer)")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="e.g. build, docs generate")
    dbt.set_defaults(func=_dbt)

    report = commands.add_parser("report", help="the monthly emulation-and-reward report (XLSX and HTML)")
    report.add_argument("--month", type=_month, required=True, help="YYYY-MM")
    report.add_argument("--as-is", action="store_true", help="units as they are today (default: as they were)")
    report.set_defaults(func=_report)

    gate = commands.add_parser("gate", help="run the quality gate for one night (as the nightly DAG does)")
    gate.add_argument("--night", type=_night, required=True, help="YYYY-MM-DD")
    gate.set_defaults(func=_gate)

    ui = commands.add_parser("ui", help="Airflow's UI (api-server, scheduler, dag-processor) on the warehouse")
    ui.set_defaults(func=_ui)

    bi = commands.add_parser("bi", help="Superset's dashboard on the marts (its environment: `make bi`)")
    bi.add_argument("--port", type=int, default=8088, help="the port on 127.0.0.1 (default 8088)")
    bi.set_defaults(func=_bi)

    demo = commands.add_parser("demo", help="the main job on the embedded default, end to end")
    demo.add_argument(
        "--external-warehouse",
        action="store_true",
        help="write the demo into the (throwaway) warehouse ONESTOP_WAREHOUSE_URL names instead of refusing",
    )
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    from onestop.registry import RegistryError
    from onestop.settings import SettingsError
    from onestop.warehouse import WarehouseNotConfigured

    apply_quiet_env()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (WarehouseNotConfigured, RegistryError, SettingsError) as error:  # configuration: one line, no traceback
        print(f"onestop: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
