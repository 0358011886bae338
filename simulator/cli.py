"""`python -m simulator ...`: generate the demo province, advance it, serve it, break it, ask it the truth.

A command of its own, beside the pipeline's `onestop`: the simulator is not part of what a province deploys. It
works on the warehouse's server (its vendor databases live there): `ONESTOP_WAREHOUSE_URL` names it.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from simulator.world import PRESETS


def _month(text: str) -> date:
    return datetime.strptime(text, "%Y-%m").date()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="the demo province's simulated systems")
    parser.add_argument("--dir", type=Path, help="where the demo province lives (default .onestop/demo)")
    actions = parser.add_subparsers(dest="action", required=True)

    gen = actions.add_parser("generate", help="create the province and run its world up to a day")
    gen.add_argument("--preset", choices=sorted(PRESETS), default="demo")
    gen.add_argument("--seed", type=int, default=1660)
    gen.add_argument("--start", type=date.fromisoformat, help="first day of history (default: preset months back)")
    gen.add_argument("--end", type=date.fromisoformat, help="last day (default: yesterday)")

    adv = actions.add_parser("advance", help="move the world night by night")
    adv.add_argument("--to", type=date.fromisoformat, required=True)

    actions.add_parser("serve", help="serve the dvcqg_api systems over HTTP until interrupted")
    actions.add_parser("connections", help="print the AIRFLOW_CONN_* lines for the simulated systems")

    fault = actions.add_parser("fault", help="plan a fault for a system on a night")
    fault.add_argument("--system", required=True)
    fault.add_argument("--night", type=date.fromisoformat, required=True)
    fault.add_argument("kind")
    fault.add_argument("--param", action="append", default=[], help="key=value (e.g. mode=5xx, rate=0.05)")

    truth = actions.add_parser("truth", help="ground truth of a month from the event model")
    truth.add_argument("--month", type=_month, required=True)
    truth.add_argument("--as-is", action="store_true")
    return parser


def run(args: argparse.Namespace) -> int:
    from simulator.simulation import Simulation

    sim = Simulation(args.dir)
    if args.action != "generate" and sim.state is None:
        print(f"python -m simulator: no province in {sim.folder}: run `python -m simulator generate` first")
        return 2
    if args.action == "generate":
        end = args.end or date.today() - timedelta(days=1)
        start = args.start or (end.replace(day=1) - timedelta(days=31 * (PRESETS[args.preset].months - 1))).replace(
            day=1
        )
        started = time.monotonic()
        sim.generate(start, end, args.seed, args.preset)
        print(
            f"generated the {args.preset} province from {start} to {end} in {time.monotonic() - started:.1f} s "
            f"({sim.folder})"
        )
    elif args.action == "advance":
        for system, count in sim.advance(args.to).items():
            print(f"{system}: {count} records changed")
    elif args.action == "serve":
        from simulator.server import Servers

        with Servers(sim) as servers:
            for system, port in sim.state.ports.items():
                print(f"{system}: http://127.0.0.1:{port}/api/v1/hoso", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
            try:
                while servers.threads:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    elif args.action == "connections":
        for name, value in sim.connections().items():
            print(f"{name}='{value}'")
    elif args.action == "fault":
        from simulator.faults import Fault

        params = {}
        for pair in args.param:
            key, _, value = pair.partition("=")
            params[key] = json.loads(value) if value[:1].isdigit() else value
        sim.plan.add(Fault(args.system, args.night, args.kind, params))
        print(f"planned {args.kind} for {args.system} on the night of {args.night}")
    elif args.action == "truth":
        _print_truth(sim, args.month, "as_is" if args.as_is else "as_was")
    return 0


def _print_truth(sim, month: date, view: str) -> None:
    from simulator import truth

    observed = datetime.combine(sim.current, datetime.max.time()).replace(microsecond=0)
    result = truth.compute(sim.world, [month], observed, date.fromisoformat(sim.state.start))[(month, view)]
    names = sim.world.unit_by_code
    print(f"{'rank':>4}  {'unit':<28} {'subtotal':>8} {'max':>4}  " + "  ".join(f"{c:>9}" for c in truth.INDICATORS))
    for code, card in sorted(result.cards.items(), key=lambda kv: (names[kv[0]].level, kv[1].rank)):
        cells = []
        for c in truth.INDICATORS:
            n, d = card.numerator[c], card.denominator[c]
            if c == "5.4":
                cells.append("—".rjust(9) if card.rate[c] is None else f"{float(card.rate[c]):9.3f}")
            else:
                cells.append(f"{n}/{d}".rjust(9) if d is not None else "—".rjust(9))  # not reported
        print(
            f"{card.rank:>4}  {names[code].name[:28]:<28} {float(card.subtotal):8.2f} {card.maximum:>4}  "
            + "  ".join(cells)
        )


def main(argv: list[str] | None = None) -> int:
    from onestop.settings import apply_quiet_env
    from onestop.warehouse import WarehouseNotConfigured

    apply_quiet_env()
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except WarehouseNotConfigured as error:
        print(f"python -m simulator: {error}", file=sys.stderr)
        return 2
