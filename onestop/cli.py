"""The `onestop` command: one entry point for the warehouse, the demo, the simulator and the report."""

from __future__ import annotations

import argparse
import sys

from onestop.settings import apply_quiet_env


def _warehouse(args: argparse.Namespace) -> int:
    from onestop import warehouse
    from onestop.warehouse import bootstrap

    server = warehouse.embedded()
    if args.action in ("start", "stop", "status") and warehouse.is_external():
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
        url = warehouse.warehouse_url()
        if args.role:
            role = f"onestop_{args.role}"
            url = warehouse.role_url(role, bootstrap.role_passwords()[role], url)
        print(url)
    elif args.action == "init":
        for line in bootstrap.init():
            print(line)
        print("warehouse bootstrapped")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from onestop.demo import run_demo

    return run_demo()


def _raw(args: argparse.Namespace) -> int:
    from datetime import date

    from onestop.extract.retention import purge
    from onestop.warehouse import warehouse_url

    for what, count in purge(warehouse_url(), date.today(), args.superseded_days, args.record_days).items():
        print(f"{what}: {count} rows deleted")
    return 0


def _dbt(args: argparse.Namespace) -> int:
    from onestop.transform import run_dbt

    return run_dbt(*args.dbt_args, check=False).returncode


def _simulate(args: argparse.Namespace) -> int:
    from onestop.simulate import cli as simulate_cli

    return simulate_cli.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="onestop", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    wh = commands.add_parser("warehouse", help="the embedded warehouse (or the one ONESTOP_WAREHOUSE_URL names)")
    wh.add_argument("action", choices=["start", "stop", "status", "url", "init"])
    wh.add_argument("--role", choices=["loader", "transformer", "bi"], help="with url: connect as this role")
    wh.set_defaults(func=_warehouse)

    from onestop.simulate.cli import add_parser as add_simulate

    add_simulate(commands).set_defaults(func=_simulate)

    raw = commands.add_parser("raw", help="the landing's retention: purge what is past it")
    raw.add_argument("action", choices=["purge"])
    raw.add_argument("--superseded-days", type=int, default=400, help="keep superseded versions this long")
    raw.add_argument("--record-days", type=int, default=1830, help="keep records unchanged this long")
    raw.set_defaults(func=_raw)

    dbt = commands.add_parser("dbt", help="run dbt in dbt_project/ against the warehouse (as the transformer)")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="e.g. build, docs generate")
    dbt.set_defaults(func=_dbt)

    demo = commands.add_parser("demo", help="the main job on the embedded default, end to end")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    apply_quiet_env()
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
