"""The dashboard's files (bi/superset/assets/) hold together before Superset ever reads them: every chart's dataset
is listed, every chart is placed on the dashboard, and the bundle names the marts relations and their metrics."""

from __future__ import annotations

import yaml

from onestop.local.superset import ASSETS


def load(folder: str) -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted((ASSETS / folder).glob("*.yaml"))]


def test_every_chart_reads_a_listed_dataset_and_sits_on_the_dashboard() -> None:
    datasets = {d["uuid"]: d for d in yaml.safe_load((ASSETS / "datasets.yaml").read_text())}
    charts = load("charts")
    (dashboard,) = load("dashboards")
    assert charts and all(c["dataset_uuid"] in datasets for c in charts)
    placed = {v["meta"]["uuid"] for v in dashboard["position"].values() if isinstance(v, dict) and v["type"] == "CHART"}
    assert placed == {c["uuid"] for c in charts}
    names = {
        v["meta"]["uuid"]: v["meta"]["sliceName"]
        for v in dashboard["position"].values()
        if isinstance(v, dict) and v["type"] == "CHART"
    }
    assert names == {c["uuid"]: c["slice_name"] for c in charts}  # the layout shows each chart's own title


def test_every_metric_a_chart_uses_is_defined_on_its_dataset() -> None:
    datasets = {d["uuid"]: d for d in yaml.safe_load((ASSETS / "datasets.yaml").read_text())}
    for chart in load("charts"):
        defined = {m["metric_name"] for m in datasets[chart["dataset_uuid"]].get("metrics", [])}
        assert set(chart["params"].get("metrics", [])) <= defined, chart["slice_name"]
