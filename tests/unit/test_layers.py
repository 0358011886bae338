"""The structure drawn from imports: no circle among onestop's modules, and no arrow from a lower layer up.

Layers, lowest first: the pipeline (`onestop`, less its local wing and the CLI), then the local wing
(`onestop.local`), the simulated province (`simulator`), the CLI and the DAGs, then the benchmarks and the tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

from onestop.settings import PROJECT_ROOT

PACKAGES = ("onestop", "simulator", "bench", "dags", "tests")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Every module's imports of the project's own modules, anywhere in the file (function-level ones too)."""
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module)
                    names |= {f"{node.module}.{alias.name}" for alias in node.names}
            found[module_name(path)] = {n for n in names if n.split(".")[0] in PACKAGES}
    return found


def layer(module: str) -> int:
    if module.startswith(("tests", "bench")):
        return 4
    if module.startswith(("onestop.cli", "dags")):
        return 3
    if module.startswith("simulator"):
        return 2
    if module.startswith("onestop.local"):
        return 1
    return 0


def known(name: str, modules: set[str]) -> str | None:
    """The module an import names (`from a.b import c` may name module a.b.c or attribute c of a.b)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def test_no_arrow_points_up() -> None:
    graph = imports()
    upward = sorted(
        (module, target)
        for module, names in graph.items()
        for target in {known(n, set(graph)) for n in names} - {None}
        if layer(target) > layer(module) and not (layer(module) == layer(target) == 4)
    )
    # The local wing runs the simulated province for the demo; nothing else below the simulator imports it.
    allowed = {(m, t) for m, t in upward if m == "onestop.local.demo" and t.startswith("simulator")}
    assert set(upward) == allowed, sorted(set(upward) - allowed)
    # Benchmarks never lean on the tests.
    assert not [(m, t) for m, t in upward if m.startswith("bench") and t.startswith("tests")]
    assert not [(m, n) for m, names in graph.items() if m.startswith("bench") for n in names if n.startswith("tests")]


def test_no_circle_among_onestops_modules() -> None:
    graph = imports()
    modules = {m for m in graph if m.startswith("onestop")}
    edges = {
        m: {t for t in (known(n, set(graph)) for n in graph[m]) if t in modules and t != m and not m.startswith(t)}
        for m in modules
    }
    visiting, done, cycles = set(), set(), []

    def visit(node: str, path: list[str]) -> None:
        visiting.add(node)
        for target in edges[node]:
            if target in visiting:
                cycles.append([*path[path.index(target) :], target])
            elif target not in done:
                visit(target, [*path, target])
        visiting.discard(node)
        done.add(node)

    for module in sorted(modules):
        if module not in done:
            visit(module, [module])
    assert not cycles, cycles


def test_onestop_holds_no_simulator_and_no_laptop_module_outside_its_local_wing() -> None:
    top = {p.name for p in (PROJECT_ROOT / "onestop").iterdir()}
    assert not top & {"simulate", "simulator", "demo.py", "services.py", "airflow_env.py", "calendar.py"}
    assert not (PROJECT_ROOT / "onestop" / "warehouse" / "embedded.py").exists()
