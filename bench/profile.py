"""Where dbt's time goes, model by model (dbt's own `target/run_results.json`), for an incremental build and a
full refresh of the benchmark's year, beside the same build's whole-process wall time.

    python -m bench.profile      # after `python -m bench.run`: its database, merged into RESULTS.md

The incremental build follows one more ordinary night landed on the benchmark's year (its simulated province
advanced a day, every system extracted), as in scenario 3; then the floor of a night: the same build again with
nothing landed, and dbt run with nothing to build; the full refresh then rebuilds the same data.
"""

from __future__ import annotations

import graphlib
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

from bench.measure import run
from bench.report import RESULTS_JSON, write_results
from bench.run import DBT_FULL_REFRESH, DBT_NIGHT, Bench, cpu_seconds, cpu_seconds_since, machine
from onestop import local, warehouse
from onestop.transform import dbt_target


def model_times() -> dict:
    """Seconds per model and for all tests together, from the last dbt command's run results, and its critical path
    (from the manifest it wrote beside them)."""
    results = json.loads((dbt_target() / "run_results.json").read_text())["results"]
    manifest = json.loads((dbt_target() / "manifest.json").read_text())
    models = {
        r["unique_id"].split(".")[-1]: r["execution_time"] for r in results if r["unique_id"].startswith("model.")
    }
    tests = sum(r["execution_time"] for r in results if r["unique_id"].startswith(("test.", "unit_test.")))
    return {
        "models": models,
        "tests_s": tests,
        "nodes_s": sum(r["execution_time"] for r in results),
        "critical_path": critical_path(results, manifest),
    }


def critical_path(results: list[dict], manifest: dict) -> dict:
    """The longest chain of the build's nodes, each waiting on the one before it (seeds, models and tests, with
    their own times): a build with any number of threads takes that long after dbt's start."""
    seconds = {r["unique_id"]: r["execution_time"] for r in results}
    parents = {
        node: [p for p in manifest["nodes"].get(node, {}).get("depends_on", {}).get("nodes", []) if p in seconds]
        for node in seconds
    }
    ends: dict[str, float] = {}
    after: dict[str, str | None] = {}
    for node in graphlib.TopologicalSorter(parents).static_order():
        before = max(parents[node], key=ends.__getitem__, default=None)
        ends[node] = seconds[node] + (ends[before] if before else 0.0)
        after[node] = before
    node = max(ends, key=ends.__getitem__, default=None)
    total = ends[node] if node else 0.0
    chain = []
    while node:
        chain.append([manifest["nodes"].get(node, {}).get("name", node.split(".")[-1]), seconds[node]])
        node = after[node]
    return {"seconds": total, "nodes": chain[::-1]}


def night_landed(url: str) -> None:
    """The year's province one night further, every system extracted into the benchmark's warehouse."""
    from simulator.server import Servers
    from simulator.simulation import Simulation

    bench = Bench("province-year", "year", 12)
    bench.sim = Simulation(bench.folder, url)
    night = bench.sim.current + timedelta(days=1)
    bench.sim.advance(night)
    with Servers(bench.sim):
        bench.env = {"ONESTOP_WAREHOUSE_URL": url, "ONESTOP_REGISTRY": str(bench.sim.registry_path)}
        bench.env.update(bench.sim.connections())
        for system in bench.sim.world.systems:
            bench.step("extract", system.id, str(night))
        bench.step("summarize", str(night))


def build(url: str, full_refresh: bool) -> dict:
    """One dbt build's whole process, with the whole machine's busy CPU seconds meanwhile (dbt and PostgreSQL: nothing
    else of the benchmark runs), and its model times."""
    args = [str(Path(sys.executable).parent / "onestop"), "dbt", "build", "--quiet"]
    cpu = cpu_seconds()
    measured = run([*args, *(DBT_FULL_REFRESH if full_refresh else DBT_NIGHT)], env={"ONESTOP_WAREHOUSE_URL": url})
    busy = cpu_seconds_since(cpu)["machine"]
    return {"wall_s": measured.seconds, "cpu_busy_s": busy, "cores": os.cpu_count(), **model_times()}


def nothing_to_build(url: str) -> float:
    """dbt's fixed cost: the whole process of a `dbt build` that selects nothing (starting Python, importing dbt,
    reading the project and its manifest), which every night pays before its first node. With the night's flags: a
    change of `--vars` makes dbt parse the whole project again."""
    args = [str(Path(sys.executable).parent / "onestop"), "dbt", "build", "--quiet", *DBT_NIGHT]
    return run([*args, "--select", "tag:bench_nothing"], env={"ONESTOP_WAREHOUSE_URL": url}).seconds


def main() -> None:
    base = local.use_embedded()  # the embedded server, unless the environment names another
    url = warehouse.with_database(base, f"{warehouse.database_name(base)}_bench")
    night_landed(url)
    profile = {
        "incremental": build(url, False),
        # The floor of a night: the same build again, nothing landed since; and dbt with nothing to build.
        "nothing_landed": build(url, False),
        "dbt_fixed_s": nothing_to_build(url),
        "full_refresh": build(url, True),
    }
    profile["commit"] = machine()["commit"]  # `python -m bench.profile` may run again at a later commit
    results = json.loads(RESULTS_JSON.read_text())
    results["dbt_profile"] = profile
    write_results(results)
    builds = {k: v for k, v in profile.items() if isinstance(v, dict)}
    print(json.dumps({k: {"wall_s": v["wall_s"], "nodes_s": v["nodes_s"]} for k, v in builds.items()}))
    print(json.dumps({"dbt_fixed_s": profile["dbt_fixed_s"], "commit": profile["commit"]}))


if __name__ == "__main__":
    main()
