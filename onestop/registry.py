"""The registry of source systems (district-systems.md, "The registry") and its two reference tables.

Adding a system of a known kind is an edit of this file alone; secrets never stand in it (a system names an
Airflow connection id).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
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
    done_marker: bool = False  # csv_drop: the system writes `<file>.done` once a file is complete


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


TOP_KEYS = {"province": False, "units": True, "procedures": True, "systems": True}  # key: required
SYSTEM_KEYS = {
    "id": True,
    "kind": True,
    "units": True,
    "conn_id": False,
    "path": False,
    "enabled": False,
    "done_marker": False,
}
SYSTEM_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _lines(node, path: tuple = ()) -> Iterator[tuple[tuple, int]]:
    """Each key's and item's line in the YAML (1-based), by its path: where an error points the engineer."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield (*path, key_node.value), key_node.start_mark.line + 1
            yield from _lines(value_node, (*path, key_node.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield (*path, index), item.start_mark.line + 1
            yield from _lines(item, (*path, index))


class _Checker:
    def __init__(self, path: Path, text: str):
        self.path = path
        try:
            self.document = yaml.safe_load(text)
            self.lines = dict(_lines(yaml.compose(text)))
        except yaml.YAMLError as error:
            raise RegistryError(f"{path}: not valid YAML: {error}") from None

    def fail(self, where: tuple, message: str) -> None:
        # The line of the key itself, else of the nearest enclosing key or item that has one.
        line = next((self.lines[where[:n]] for n in range(len(where), 0, -1) if where[:n] in self.lines), 1)
        raise RegistryError(f"{self.path}:{line}: {message}")

    def keys(self, mapping, where: tuple, allowed: dict[str, bool], what: str) -> None:
        if not isinstance(mapping, dict):
            self.fail(where, f"{what} must be a mapping of keys")
        for key in mapping:
            if key not in allowed:
                self.fail((*where, key), f"{what}: unknown key {key!r} (allowed: {', '.join(allowed)})")
        for key, required in allowed.items():
            if required and key not in mapping:
                self.fail(where, f"{what}: required key {key!r} is missing")


def load(path: Path | None = None) -> Registry:
    """Read and check the registry: unknown or missing keys (with their line), ids, kinds, units known to
    `units.csv`, csv folders inside the registry's folder. A mistake raises `RegistryError`, never a default."""
    path = Path(path or default_path())
    checker = _Checker(path, path.read_text(encoding="utf-8"))
    document = checker.document
    checker.keys(document, (), TOP_KEYS, "the registry")
    base = path.parent.resolve()
    tables = {}
    for key in ("units", "procedures"):
        table = (base / str(document[key])).resolve()
        if not table.is_file():
            checker.fail((key,), f"{key}: {table} is not a file")
        tables[key] = table
    known_units = {row["unit_code"] for row in read_csv(tables["units"])}
    if not isinstance(document["systems"], list) or not document["systems"]:
        checker.fail(("systems",), "systems: a list of at least one system is required")
    systems, seen = [], set()
    for index, raw in enumerate(document["systems"]):
        where = ("systems", index)
        checker.keys(raw, where, SYSTEM_KEYS, f"systems[{index}]")
        system_id, kind = raw["id"], raw["kind"]
        name = f"system {system_id}"
        if not isinstance(system_id, str) or not SYSTEM_ID.match(system_id):
            checker.fail((*where, "id"), f"{name}: id must be lower-case letters, digits and _ (e.g. songcau)")
        if system_id in seen:
            checker.fail((*where, "id"), f"{name}: id {system_id!r} is used twice")
        if kind not in KINDS:
            checker.fail((*where, "kind"), f"{name}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if kind == "csv_drop" and not raw.get("path"):
            checker.fail(where, f"{name}: a csv_drop system needs a path")
        if kind != "csv_drop" and not raw.get("conn_id"):
            checker.fail(where, f"{name}: a {kind} system needs a conn_id")
        for key in ("path", "conn_id"):
            if key in raw and (kind == "csv_drop") != (key == "path"):
                checker.fail((*where, key), f"{name}: a {kind} system takes no {key}")
        units = raw["units"]
        if not isinstance(units, list) or not units or not all(isinstance(u, str) for u in units):
            checker.fail((*where, "units"), f"{name}: units must be a non-empty list of unit codes")
        unknown = [u for u in units if u not in known_units]
        if unknown:
            checker.fail((*where, "units"), f"{name}: unit(s) {', '.join(unknown)} not in {tables['units'].name}")
        enabled = raw.get("enabled", True)
        if not isinstance(enabled, bool):
            checker.fail((*where, "enabled"), f"{name}: enabled must be true or false, not {enabled!r}")
        done_marker = raw.get("done_marker", False)
        if not isinstance(done_marker, bool):
            checker.fail((*where, "done_marker"), f"{name}: done_marker must be true or false, not {done_marker!r}")
        if done_marker and kind != "csv_drop":
            checker.fail((*where, "done_marker"), f"{name}: only a csv_drop system writes done markers")
        folder = (base / str(raw["path"])).resolve() if raw.get("path") else None
        if folder is not None and not folder.is_relative_to(base):
            checker.fail((*where, "path"), f"{name}: path {raw['path']!r} leads outside the registry's folder {base}")
        seen.add(system_id)
        systems.append(
            SystemEntry(
                id=system_id,
                kind=kind,
                units=tuple(units),
                conn_id=raw.get("conn_id"),
                path=folder,
                enabled=enabled,
                done_marker=done_marker,
            )
        )
    province = document.get("province") or {}
    return Registry(
        path, province.get("code", ""), province.get("name", ""), systems, tables["units"], tables["procedures"]
    )


def unresolvable_connections(reg: Registry) -> dict[str, str]:
    """Enabled systems whose Airflow connection cannot be found (the environment or a secrets backend): why."""
    from airflow.sdk import Connection

    missing = {}
    for system in reg.enabled_systems():
        if system.conn_id:
            try:
                Connection.get(system.conn_id)
            except Exception as error:  # noqa: BLE001 (Airflow raises its own not-found types; all mean "cannot")
                missing[system.id] = f"connection {system.conn_id!r} not found ({type(error).__name__})"
    return missing
