"""The registry read and checked: what a province's engineer writes, and the mistakes it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from onestop import registry
from onestop.registry import RegistryError

GOOD = """
province: {code: H45, name: "Tỉnh Phú Yên"}
units: units.csv
procedures: procedures.csv
systems:
  - {id: songcau, kind: dvcqg_api, conn_id: onestop_songcau, units: ["000.21.33.H45"]}
  - {id: tuyan, kind: onegate_db, conn_id: onestop_tuyan, units: ["000.22.33.H45"], enabled: false}
  - {id: dongxuan, kind: csv_drop, path: drops/dongxuan, units: ["000.23.33.H45"]}
"""


def write(folder: Path, text: str) -> Path:
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


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("id: tuyan,", "id: songcau,"), "system id 'songcau' must be unique"),
        (("id: tuyan,", "id: TuyAn,"), "must be unique and lower-case"),
        (("kind: onegate_db", "kind: oracle_db"), "kind 'oracle_db' is not one of dvcqg_api, onegate_db, csv_drop"),
        ((", path: drops/dongxuan", ""), "a csv_drop system needs a path"),
        ((", conn_id: onestop_songcau", ""), "a dvcqg_api system needs a conn_id"),
    ],
)
def test_mistakes_are_refused_naming_the_system(tmp_path: Path, change, reason) -> None:
    with pytest.raises(RegistryError, match=reason):
        registry.load(write(tmp_path, GOOD.replace(*change)))


def test_no_registry_named_is_an_error_naming_the_variable(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ONESTOP_REGISTRY", raising=False)
    with pytest.raises(RegistryError, match="ONESTOP_REGISTRY is not set"):
        registry.load()
    monkeypatch.setenv("ONESTOP_REGISTRY", str(tmp_path / "missing.yml"))
    with pytest.raises(RegistryError, match="missing.yml: no such file"):
        registry.load()
