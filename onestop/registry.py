"""The registry of source systems (district-systems.md, "The registry") and its two reference tables.

Adding a system of a known kind is an edit of this file alone; secrets never stand in it (a system names an
Airflow connection id).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import yaml

KINDS = ("dvcqg_api", "onegate_db", "csv_drop")


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class SystemEntry:
    id: str
    kind: str
    units: tuple[str, ...]
    conn_id: str | None = None
    path: Path | None = None
    enabled: bool = True


@dataclass
class Registry:
    path: Path
    province_code: str
    province_name: str
    systems: list[SystemEntry]
    units_csv: Path
    procedures_csv: Path
    extra: dict = field(default_factory=dict)

    def enabled_systems(self) -> list[SystemEntry]:
        return [s for s in self.systems if s.enabled]

    def system(self, system_id: str) -> SystemEntry:
        for entry in self.systems:
            if entry.id == system_id:
                return entry
        raise RegistryError(f"no system {system_id!r} in {self.path}")

    def units(self) -> list[dict[str, str]]:
        return read_csv(self.units_csv)

    def procedures(self) -> list[dict[str, str]]:
        return read_csv(self.procedures_csv)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def default_path() -> Path:
    """The registry the settings name; none named is a configuration error (no demo default here)."""
    from onestop.settings import REGISTRY_VAR, settings

    path = settings().registry
    if path is None:
        raise RegistryError(f"{REGISTRY_VAR} is not set: set it to the registry YAML of the province's systems")
    if not path.exists():
        raise RegistryError(f"{REGISTRY_VAR}={path}: no such file")
    return path


def load(path: Path | None = None) -> Registry:
    path = Path(path or default_path())
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = path.parent
    systems, seen = [], set()
    for raw in document.get("systems") or []:
        system_id, kind = raw.get("id"), raw.get("kind")
        if not system_id or system_id != str(system_id).lower() or system_id in seen:
            raise RegistryError(f"{path}: system id {system_id!r} must be unique and lower-case")
        if kind not in KINDS:
            raise RegistryError(f"{path}: system {system_id}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if kind == "csv_drop" and not raw.get("path"):
            raise RegistryError(f"{path}: system {system_id}: a csv_drop system needs a path")
        if kind != "csv_drop" and not raw.get("conn_id"):
            raise RegistryError(f"{path}: system {system_id}: a {kind} system needs a conn_id")
        seen.add(system_id)
        folder = raw.get("path")
        systems.append(
            SystemEntry(
                id=system_id,
                kind=kind,
                units=tuple(raw.get("units") or ()),
                conn_id=raw.get("conn_id"),
                path=(base / folder).resolve() if folder else None,
                enabled=raw.get("enabled", True),
            )
        )
    province = document.get("province") or {}
    return Registry(
        path,
        province.get("code", ""),
        province.get("name", ""),
        systems,
        (base / document["units"]).resolve(),
        (base / document["procedures"]).resolve(),
    )
