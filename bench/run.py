"""`make bench`: onestop at province scale, measured whole-process, written to bench/RESULTS.md.

    python -m bench.run [--quick] [--runs N] [--demo]

Scenarios (issue #9): 1 landing vs a bare COPY of the same rows; 2 the initial load end to end by phase; 3 an
ordinary night over the loaded history, against a full refresh, on half the history and on all of it; 4 peak
memory of extraction tasks by system size; 5 DAG parse time per file; 6 `make demo` cold and warm (--demo).
Full size is the simulator's province-year preset; --quick uses the small preset (for CI's sake).
Everything runs in a database of its own (`<db>_bench`) on the warehouse server, beside the demo's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg

from bench.measure import Measured, median, python, run
from onestop import local, warehouse
from onestop.settings import PROJECT_ROOT, state_dir
from onestop.warehouse import bootstrap

RESULTS = PROJECT_ROOT / "bench" / "RESULTS.md"
POOL = 4  # the onestop_sources pool's slots


def machine() -> str:
    cpuinfo, meminfo = Path("/proc/cpuinfo").read_text(), Path("/proc/meminfo").read_text()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line), "?")
    mem_kb = int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal")))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB, {platform.system()} {platform.release()},"
        f" Python {platform.python_version()}; commit {commit}; {datetime.now():%Y-%m-%d %H:%M}"
    )


class Bench:
    def __init__(self, preset: str, label: str, months: int):
        self.preset, self.label = preset, label
        base = warehouse.warehouse_url()
        self.url = warehouse.with_database(base, f"{warehouse.database_name(base)}_bench")
        self.folder = state_dir() / "bench" / f"{preset}-{label}"
        self.months = months
        self.env: dict[str, str] = {}

    def prepare(self) -> dict:
        from onestop.local.reset import empty_warehouse
        from simulator.simulation import Simulation

        bootstrap.init(self.url, generate_secrets=True)  # a database of its own on the embedded server
        empty_warehouse(self.url)
        self.sim = Simulation(self.folder, self.url, name=f"bench{self.label}")
        self.night = date(2025, 12, 30)
        start = (self.night - timedelta(days=30 * self.months)).replace(day=1)
        began = time.monotonic()
        self.sim.generate(start, self.night, preset=self.preset)
        generated = time.monotonic() - began
        self.env = {
            "ONESTOP_WAREHOUSE_URL": self.url,
            "ONESTOP_REGISTRY": str(self.sim.registry_path),
            **self.sim.connections(),
        }
        return {"generate_s": round(generated, 1), "from": str(start), "to": str(self.night)}

    def step(self, *args: str) -> Measured:
        return python("-m", "bench.steps", *args, env=self.env)

    def night_run(self, night: date, full_refresh: bool) -> dict:
        """One night as the DAG runs it: reference and extraction (POOL at once), summary, dbt build, gate."""
        phases = {}
        began = time.monotonic()
        self.step("reference")
        systems = [s.id for s in self.sim.world.systems]
        with ThreadPoolExecutor(POOL) as pool:
            measured = dict(zip(systems, pool.map(lambda s: self.step("extract", s, str(night)), systems), strict=True))
        self.step("summarize", str(night))
        phases["extract"] = {"seconds": time.monotonic() - began, "peak_mb": max(m.peak_mb for m in measured.values())}
        phases["tasks"] = {
            s: {
                "kind": self.sim.world.kind_of[s],
                "seconds": m.seconds,
                "peak_mb": m.peak_mb,
                **json.loads(m.stdout.splitlines()[-1]),
            }
            for s, m in measured.items()
        }
        dbt = run(
            [
                str(Path(sys.executable).parent / "onestop"),
                "dbt",
                "build",
                "--quiet",
                *(["--full-refresh"] if full_refresh else []),
            ],
            env=self.env,
        )
        phases["dbt"] = {"seconds": dbt.seconds, "peak_mb": dbt.peak_mb}
        gate = self.step("gate", str(night))
        phases["gate"] = {"seconds": gate.seconds, "peak_mb": gate.peak_mb}
        phases["total_s"] = time.monotonic() - began
        return phases

    def full_refresh(self) -> Measured:
        return run(
            [str(Path(sys.executable).parent / "onestop"), "dbt", "build", "--quiet", "--full-refresh"], env=self.env
        )

    def copy_limit(self, night: date | None) -> dict:
        """onestop's write path for the rows of one night (or of the initial load) -- its in-process timer,
        audit.extraction_runs.seconds, less the time spent waiting on the source (requests, files, parsing its
        format: source_seconds) -- against a bare COPY of the same rows into an equivalent table."""
        where = "interval_start = %s" if night else "true"
        params = (datetime.combine(night, datetime.min.time()),) if night else ()
        with psycopg.connect(self.url, autocommit=True) as conn:
            onestop_s, with_source_s = map(
                float,
                conn.execute(
                    "select coalesce(sum(seconds - source_seconds), 0), coalesce(sum(seconds), 0) from"
                    " (select distinct on (system_id) seconds, source_seconds from"
                    f" audit.extraction_runs where status = 'success' and {where} order by system_id, run_id desc) r",
                    params,
                ).fetchone(),
            )
            rows, copy_s = 0, 0.0
            for table in ("raw.dossier_records", "raw.feedback_records"):
                conn.execute("drop table if exists public.bench_copy")
                conn.execute(f"create table public.bench_copy (like {table} including all)")
                with tempfile.TemporaryFile() as buffer:
                    with conn.cursor().copy(
                        f"copy (select * from {table} where {where}) to stdout (format binary)", params
                    ) as out:
                        for chunk in out:
                            buffer.write(chunk)
                    buffer.seek(0)
                    began = time.perf_counter()
                    with conn.cursor().copy("copy public.bench_copy from stdin (format binary)") as into:
                        while chunk := buffer.read(1 << 20):
                            into.write(chunk)
                    copy_s += time.perf_counter() - began
                rows += conn.execute("select count(*) from public.bench_copy").fetchone()[0]
            conn.execute("drop table public.bench_copy")
        return {
            "rows": rows,
            "onestop_s": onestop_s,
            "with_source_s": with_source_s,
            "copy_s": copy_s,
            "ratio": copy_s / onestop_s if onestop_s else float("nan"),
        }


def dag_parse(runs: int) -> dict[str, float]:
    """Each DAG file imported as the dag-processor does (a fresh process with Airflow loaded), median seconds."""
    probe = (
        "import sys, time\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "t = time.perf_counter(); bag = DagBag(dag_folder=sys.argv[1])\n"
        "assert not bag.import_errors, bag.import_errors\n"
        "print(time.perf_counter() - t)\n"
    )
    found = {}
    for dag_file in sorted((PROJECT_ROOT / "dags").glob("*.py")):
        times = [float(python("-c", probe, str(dag_file)).stdout.split()[-1]) for _ in range(runs)]
        found[dag_file.name] = median(times)
    return found


def demo_times() -> dict[str, float]:
    """`make demo` from an empty state folder (cold: the warehouse, the province, everything), then again (warm)."""
    with tempfile.TemporaryDirectory() as state:
        env = {"ONESTOP_STATE_DIR": state}
        cold = run(["make", "-s", "demo"], env=env)
        warm = run(["make", "-s", "demo"], env=env)
        python("-m", "onestop.cli", "warehouse", "stop", env=env)
    return {"cold_s": cold.seconds, "warm_s": warm.seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the small preset (minutes), not the province-year")
    parser.add_argument("--runs", type=int, default=3, help="runs of the repeatable scenarios (medians)")
    parser.add_argument("--demo", action="store_true", help="also time `make demo`, cold and warm")
    args = parser.parse_args()
    preset = "small" if args.quick else "province-year"
    local.use_embedded()
    results: dict = {"machine": machine(), "preset": preset}
    print(f"machine: {results['machine']}", flush=True)

    results["parse"] = dag_parse(args.runs)
    print("dag parse:", results["parse"], flush=True)

    from simulator.server import Servers

    for label, months in (("half", 6), ("year", 12)):
        bench = Bench(preset, label, months)
        found = results[label] = {"prepare": bench.prepare()}
        print(label, found["prepare"], flush=True)
        with Servers(bench.sim):
            bench.env.update(bench.sim.connections())
            found["initial"] = bench.night_run(bench.night, full_refresh=True)
            found["copy_year"] = bench.copy_limit(None)
            print(label, "initial", {k: v for k, v in found["initial"].items() if k != "tasks"}, flush=True)
            nights = []
            for k in range(args.runs):
                night = bench.night + timedelta(days=k + 1)
                bench.sim.advance(night)
                nights.append(bench.night_run(night, full_refresh=False))
                found.setdefault("copy_night", []).append(bench.copy_limit(night))
            found["nights"] = nights
            found["full_refresh_s"] = [bench.full_refresh().seconds for _ in range(max(1, args.runs - 1))]
            print(
                label,
                "nights",
                [round(n["total_s"], 1) for n in nights],
                "full refresh",
                found["full_refresh_s"],
                flush=True,
            )
    if args.demo:
        results["demo"] = demo_times()
    (state_dir() / "bench" / "results.json").write_text(json.dumps(results, indent=1, default=str))
    from bench.report import write

    write(results, RESULTS)
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
