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

POOL = 4  # the onestop_sources pool's slots
# dbt as the nightly DAG runs it (dags/onestop_nightly.py): an ordinary night tests the rows its build wrote, a full
# refresh whole tables; dbt's unit tests belong to the test suite, not to a night.
DBT_NIGHT = ["--vars", '{"tests_scope": "night"}', "--exclude-resource-type", "unit_test"]
DBT_FULL_REFRESH = ["--full-refresh", "--exclude-resource-type", "unit_test"]
PEER_RECORDS = 200_000  # dossier records loaded by dlt, the peer (issue #21 measured it on 200k)
PEER_PYTHON = PROJECT_ROOT / "bench" / "peer" / ".venv" / "bin" / "python"


def machine() -> dict:
    """What the figures were measured on, and at which commit."""
    cpuinfo, meminfo = Path("/proc/cpuinfo").read_text(), Path("/proc/meminfo").read_text()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if "model name" in line), "?")
    mem_kb = int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal")))
    git = ["git", "-C", str(PROJECT_ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    # The benchmark's own outputs are not code: `make bench` writes them before its profile asks.
    outputs = (":!bench/results.json", ":!bench/RESULTS.md")
    dirty = bool(
        subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no", "--", ".", *outputs], capture_output=True, text=True
        ).stdout.strip()
    )
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "commit": commit + ("+uncommitted changes" if dirty else ""),
        "measured_at": f"{datetime.now():%Y-%m-%d %H:%M}",
    }


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
        # A Monday: the ordinary nights measured after it (and the one measured alone) are working days, not the
        # New Year holiday or a weekend, whose few records would say little of a night.
        self.night = date(2025, 12, 22)
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

    def extract(self, night: date, pool: int = POOL) -> dict:
        """Reference data, then every system's extraction (`pool` at a time: the DAG's pool, or 1 for each task
        alone), then the night's summary; wall time, peak RSS and each task's own figures."""
        began, cpu = time.monotonic(), cpu_seconds()
        self.step("reference")
        systems = [s.id for s in self.sim.world.systems]
        with ThreadPoolExecutor(pool) as workers:
            measured = dict(
                zip(systems, workers.map(lambda s: self.step("extract", s, str(night)), systems), strict=True)
            )
        self.step("summarize", str(night))
        return {
            "seconds": time.monotonic() - began,
            "cpu_s": cpu_seconds_since(cpu),
            "peak_mb": max(m.peak_mb for m in measured.values()),
            "tasks": {
                s: {
                    "kind": self.sim.world.kind_of[s],
                    "seconds": m.seconds,
                    "peak_mb": m.peak_mb,
                    **json.loads(m.stdout.splitlines()[-1]),
                }
                for s, m in measured.items()
            },
        }

    def dbt(self, *flags: str) -> Measured:
        return run([str(Path(sys.executable).parent / "onestop"), "dbt", "build", "--quiet", *flags], env=self.env)

    def night_run(self, night: date, full_refresh: bool) -> dict:
        """One night as the DAG runs it: reference and extraction (POOL at once), summary, dbt build, gate."""
        began = time.monotonic()
        extracted = self.extract(night)
        phases = {"extract": {k: extracted[k] for k in ("seconds", "peak_mb", "cpu_s")}, "tasks": extracted["tasks"]}
        cpu = cpu_seconds()
        dbt = self.dbt(*(DBT_FULL_REFRESH if full_refresh else DBT_NIGHT))
        phases["dbt"] = {"seconds": dbt.seconds, "peak_mb": dbt.peak_mb, "cpu_s": cpu_seconds_since(cpu)}
        cpu = cpu_seconds()
        gate = self.step("gate", str(night))
        phases["gate"] = {"seconds": gate.seconds, "peak_mb": gate.peak_mb, "cpu_s": cpu_seconds_since(cpu)}
        phases["total_s"] = time.monotonic() - began
        return phases

    def empty_landing(self) -> None:
        from onestop.local.reset import empty_warehouse

        empty_warehouse(self.url)

    def full_refresh(self) -> Measured:
        return self.dbt(*DBT_FULL_REFRESH)

    def copy_limit(self, night: date | None) -> dict:
        """onestop's write path for the rows of one night (or of the initial load), system by system -- its
        in-process timer, audit.extraction_runs.seconds, less the time spent in the source (connecting, requests,
        files, parsing its format: source_seconds) -- against a bare binary COPY of the same rows, already in
        memory, into a table like `raw`'s (same columns and indexes), one system after the other."""
        where = "interval_start = %s" if night else "true"
        interval = (datetime.combine(night, datetime.min.time()),) if night else ()
        systems: dict[str, dict] = {}
        with psycopg.connect(self.url, autocommit=True) as conn:
            for system, seconds, source_seconds in conn.execute(
                "select distinct on (system_id) system_id, seconds, source_seconds from audit.extraction_runs"
                f" where status = 'success' and {where} order by system_id, run_id desc",
                interval,
            ).fetchall():
                systems[system] = {
                    "kind": self.sim.world.kind_of.get(system, ""),
                    "onestop_s": float(seconds) - float(source_seconds),
                    "with_source_s": float(seconds),
                    "rows": 0,
                    "copy_s": 0.0,
                }
            for table in ("raw.dossier_records", "raw.feedback_records"):
                conn.execute("drop table if exists public.bench_copy")
                conn.execute(f"create table public.bench_copy (like {table} including all)")
                for system, found in systems.items():
                    found["copy_s"] += bare_copy(
                        conn, f"select * from {table} where system_id = %s and {where}", (system, *interval)
                    )
                    found["rows"] += conn.execute(
                        f"select count(*) from {table} where system_id = %s and {where}", (system, *interval)
                    ).fetchone()[0]
            conn.execute("drop table public.bench_copy")
        totals = {k: sum(f[k] for f in systems.values()) for k in ("rows", "onestop_s", "with_source_s", "copy_s")}
        return {**totals, "ratio": ratio(totals["copy_s"], totals["onestop_s"]), "systems": systems}

    def peer(self) -> dict:
        """dlt loading PEER_RECORDS of the year's dossier records (their payloads, as the systems sent them) into
        the same server, in its own environment, beside a bare COPY of the same rows (`bench/peer/load_dlt.py`)."""
        with tempfile.TemporaryDirectory() as folder, psycopg.connect(self.url, autocommit=True) as conn:
            sample = "select * from raw.dossier_records order by system_id, record_key, changed_at limit %s"
            records = Path(folder) / "records.jsonl"
            with records.open("w", encoding="utf-8") as lines:
                for (payload,) in conn.execute(f"select payload::text from ({sample}) as s", (PEER_RECORDS,)):
                    lines.write(payload + "\n")
            conn.execute("drop table if exists public.bench_copy")
            conn.execute("create table public.bench_copy (like raw.dossier_records including all)")
            copy_s = bare_copy(conn, sample, (PEER_RECORDS,))
            rows = conn.execute("select count(*) from public.bench_copy").fetchone()[0]
            conn.execute("drop table public.bench_copy")
            loaded = run(
                [str(PEER_PYTHON), str(PROJECT_ROOT / "bench" / "peer" / "load_dlt.py"), str(records)],
                env={"DLT_DESTINATION_URL": self.url, "DLT_PIPELINES_DIR": str(Path(folder) / "dlt")},
            )
        found = json.loads(loaded.stdout.splitlines()[-1])
        return {
            "rows": rows,
            "copy_s": copy_s,
            **{way: {**f, "ratio": ratio(copy_s, f["seconds"])} for way, f in found.items()},
            "peak_mb": loaded.peak_mb,
        }


def cpu_seconds() -> dict[str, float]:
    """CPU seconds so far: the whole machine's busy time (`/proc/stat`), this process's own (the simulated dvcqg_api
    servers run on its threads; it otherwise waits) and its finished children's (the pipeline steps, each a process
    under `/usr/bin/time`). What the machine spent besides the two is PostgreSQL's, the landing's writes and the
    simulated vendor databases' reads alike, and anything else running."""
    with open("/proc/stat") as stat:
        ticks = [int(t) for t in stat.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = ticks[:7]
    own = os.times()
    return {
        "machine": (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK"),
        "servers": own.user + own.system,
        "steps": own.children_user + own.children_system,
    }


def cpu_seconds_since(before: dict[str, float]) -> dict[str, float]:
    """The CPU seconds spent since `before` (a `cpu_seconds()`), each the same way."""
    return {k: v - before[k] for k, v in cpu_seconds().items()}


def bare_copy(conn: psycopg.Connection, query: str, params: tuple) -> float:
    """Seconds to COPY the query's rows into public.bench_copy, from memory in binary form (read out first, not
    timed): the least any loader of those rows into PostgreSQL could take."""
    with tempfile.TemporaryFile() as buffer:
        with conn.cursor().copy(f"copy ({query}) to stdout (format binary)", params) as out:
            for chunk in out:
                buffer.write(chunk)
        buffer.seek(0)
        began = time.perf_counter()
        with conn.cursor().copy("copy public.bench_copy from stdin (format binary)") as into:
            while chunk := buffer.read(1 << 20):
                into.write(chunk)
        return time.perf_counter() - began


def ratio(copy_s: float, other_s: float) -> float:
    return copy_s / other_s if other_s else float("nan")


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
        # The demo's own embedded warehouse in the empty state folder, not the benchmark's (which this process
        # names in its environment, and which the demo rightly refuses to write into).
        env, unset = {"ONESTOP_STATE_DIR": state}, ("ONESTOP_WAREHOUSE_URL",)
        cold = run(["make", "-s", "demo"], env=env, unset=unset)
        warm = run(["make", "-s", "demo"], env=env, unset=unset)
        run([sys.executable, "-m", "onestop.cli", "warehouse", "stop"], env=env, unset=unset)
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
    print("machine:", results["machine"], flush=True)

    results["parse"] = dag_parse(args.runs)
    print("dag parse:", results["parse"], flush=True)

    from simulator.server import Servers

    for label, months in (("half", 6), ("year", 12)):
        bench = Bench(preset, label, months)
        found = results[label] = {"prepare": bench.prepare()}
        print(label, found["prepare"], flush=True)
        with Servers(bench.sim):
            bench.env.update(bench.sim.connections())
            if label == "year":
                # Like for like: the initial load's extraction with each task alone (the others waiting), its write
                # path against the bare COPY on the same cores; then the landing emptied, and the load again as the
                # DAG runs it (four tasks at once), for the concurrent figure and the load end to end.
                found["initial_alone"] = bench.extract(bench.night, pool=1)
                found["copy_year_alone"] = bench.copy_limit(None)
                print(label, "alone", round(found["copy_year_alone"]["ratio"], 2), flush=True)
                bench.empty_landing()
            found["initial"] = bench.night_run(bench.night, full_refresh=True)
            found["copy_year"] = bench.copy_limit(None)
            print(label, "initial", {k: v for k, v in found["initial"].items() if k != "tasks"}, flush=True)
            if label == "year" and PEER_PYTHON.exists():
                found["peer"] = bench.peer()
                print(label, "peer", found["peer"], flush=True)
            nights = []
            for k in range(args.runs):
                night = bench.night + timedelta(days=k + 1)
                bench.sim.advance(night)
                nights.append(bench.night_run(night, full_refresh=False))
                found.setdefault("copy_night", []).append(bench.copy_limit(night))
            found["nights"] = nights
            if label == "year":
                night = bench.night + timedelta(days=args.runs + 1)
                bench.sim.advance(night)
                found["night_alone"] = bench.extract(night, pool=1)
                found["copy_night_alone"] = bench.copy_limit(night)
                bench.dbt(*DBT_NIGHT)  # the marts caught up, as a night would leave them (not measured)
            found["full_refresh_s"] = [bench.full_refresh().seconds for _ in range(max(1, args.runs - 1))]
            # What is measured so far, kept: a later scenario that fails does not lose it (`python -m bench.report`
            # cannot render a partial run, but the numbers are there).
            (state_dir() / "bench" / "partial.json").write_text(json.dumps(results, indent=1, default=str))
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
    from bench.report import write_results

    write_results(results)
    print("written bench/results.json and bench/RESULTS.md")


if __name__ == "__main__":
    main()
