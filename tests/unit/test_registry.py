"""The registry read and checked, as `onestop registry check` and the DAG's planning read it: what a province's
engineer writes, and each mistake refused with the key and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from onestop import registry
from onestop.registry import RegistryError

GOOD = """\
province: {code: H45, name: "Tỉnh Phú Yên"}
units: units.csv
procedures: procedures.csv
systems:
  - id: songcau
    kind: dvcqg_api
    conn_id: onestop_songcau
    units: ["000.21.33.H45"]
  - id: tuyan
    kind: onegate_db
    conn_id: onestop_tuyan
    units: ["000.22.33.H45"]
    enabled: false
  - id: dongxuan
    kind: csv_drop
    path: drops/dongxuan
    units: ["000.23.33.H45"]
"""
UNITS = "unit_code,unit_name,level,valid_from,valid_to,successor_code\n" + "".join(
    f"000.2{i}.33.H45,Huyện {i},district,2020-01-01,,\n" for i in (1, 2, 3)
)


def write(folder: Path, text: str) -> Path:
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    (folder / "procedures.csv").write_text("procedure_code,procedure_name\n", encoding="utf-8")
    path = folder / "registry.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_registry(tmp_path: Path) -> None:
    found = registry.load(write(tmp_path, GOOD))
    assert (found.province_code, found.province_name) == ("H45", "Tỉnh Phú Yên")
    assert [s.id for s in found.enabled_systems()] == ["songcau", "dongxuan"]
    assert found.system("dongxuan").path == (tmp_path / "drops" / "dongxuan").resolve()
    assert found.system("songcau").units == ("000.21.33.H45",) and found.units_csv == (tmp_path / "units.csv").resolve()
    with pytest.raises(RegistryError, match="no system 'nope'"):
        found.system("nope")
    assert not found.system("dongxuan").done_marker
    marked = registry.load(
        write(tmp_path, GOOD.replace("path: drops/dongxuan", "path: drops/dongxuan\n    done_marker: true"))
    )
    assert marked.system("dongxuan").done_marker


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # `enable: false` is not `enabled`: refused, never a system left enabled.
        (("    enabled: false", "    enable: false"), r":13: systems\[1\]: unknown key 'enable'"),
        # `unit:` instead of `units:`: refused, never a system with no units.
        (('    units: ["000.21.33.H45"]', '    unit: ["000.21.33.H45"]'), r":8: systems\[0\]: unknown key 'unit'"),
        (("units: units.csv\n", ""), r":1: the registry: required key 'units' is missing"),
        (("    kind: csv_drop\n", ""), r":14: systems\[2\]: required key 'kind' is missing"),
        (("  - id: tuyan", "  - id: songcau"), r":9: system songcau: id 'songcau' is used twice"),
        (("  - id: tuyan", "  - id: TuyAn"), r":9: system TuyAn: id must be lower-case"),
        (("kind: onegate_db", "kind: oracle_db"), r":10: system tuyan: kind 'oracle_db' is not one of"),
        (("    path: drops/dongxuan\n", ""), r"system dongxuan: a csv_drop system needs a path"),
        (("    conn_id: onestop_songcau\n", ""), r"system songcau: a dvcqg_api system needs a conn_id"),
        (('["000.22.33.H45"]', '["000.99.33.H45"]'), r":12: system tuyan: unit\(s\) 000.99.33.H45 not in units.csv"),
        (("path: drops/dongxuan", "path: ../../etc"), r":16: system dongxuan: path '../../etc' leads outside"),
        (("    enabled: false", "    enabled: nope"), r":13: system tuyan: enabled must be true or false"),
        (("procedures: procedures.csv", "procedures: catalogue.csv"), r":3: procedures: .*catalogue.csv is not a file"),
        (("systems:", "systems: [\n"), r"not valid YAML"),
        (
            ("    path: drops/dongxuan", "    path: drops/dongxuan\n    done_marker: yes please"),
            r":17: system dongxuan: done_marker must be true or false",
        ),
        (("    enabled: false", "    done_marker: true"), r":13: system tuyan: only a csv_drop system writes done"),
    ],
)
def test_each_mistake_is_refused_naming_key_and_line(tmp_path: Path, change, reason) -> None:
    with pytest.raises(RegistryError, match=reason):
        registry.load(write(tmp_path, GOOD.replace(*change)))


def test_no_registry_named_is_an_error_naming_the_variable(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ONESTOP_REGISTRY", raising=False)
    with pytest.raises(RegistryError, match="ONESTOP_REGISTRY is not set"):
        registry.load()
    monkeypatch.setenv("ONESTOP_REGISTRY", str(tmp_path / "missing.yml"))
    with pytest.raises(RegistryError, match="missing.yml: no such file"):
        registry.load()
