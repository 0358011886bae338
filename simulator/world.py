"""The demo province's world: its units, systems and offices, and every record, regenerated on demand.

A `World` is fixed by a seed and a preset; `dossiers(system, first_day, last_day)` yields the dossiers received
in those days, in a stable order, from their unit-day random streams.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from simulator.model import Dossier, DossierFactory, Feedback, FeedbackFactory, Office, daterange
from simulator.province import DISTRICTS, Unit, build_units, unit_exists


@dataclass(frozen=True)
class Preset:
    name: str
    dossiers_per_day: float  # province-wide, an ordinary working day
    feedback_per_day: float
    months: int  # default history length, up to yesterday


PRESETS = {
    "small": Preset("small", 60, 3.0, 3),
    "demo": Preset("demo", 240, 8.0, 4),
    "province-year": Preset("province-year", 4100, 60.0, 12),
}


@dataclass(frozen=True)
class System:
    id: str
    kind: str
    district: str

    @property
    def conn_id(self) -> str:
        return f"onestop_{self.id}"


class World:
    def __init__(self, seed: int = 1660, preset: str | Preset = "demo"):
        self.seed = seed
        self.preset = PRESETS[preset] if isinstance(preset, str) else preset
        self.units: list[Unit] = build_units()
        self.systems = [System(d.system_id, d.kind, d.name) for d in DISTRICTS]
        self.kind_of = {s.id: s.kind for s in self.systems}

    @cached_property
    def unit_by_code(self) -> dict[str, Unit]:
        return {u.code: u for u in self.units}

    @cached_property
    def offices(self) -> dict[str, Office]:
        return {
            u.code: Office.build(u, self.kind_of[u.system_id], self.seed, index + 1)
            for index, u in enumerate(self.units)
        }

    def units_of(self, system_id: str) -> list[Unit]:
        return [u for u in self.units if u.system_id == system_id]

    def _rate(self, unit: Unit, per_day: float) -> float:
        alive = [u for u in self.units if unit_exists(u, unit.valid_from if unit.valid_to is None else unit.valid_to)]
        return per_day * unit.weight / sum(u.weight for u in alive)

    @cached_property
    def _dossier_factories(self) -> dict[str, DossierFactory]:
        return {
            code: DossierFactory(office, self.seed, self._rate(office.unit, self.preset.dossiers_per_day))
            for code, office in self.offices.items()
        }

    @cached_property
    def _feedback_factories(self) -> dict[str, FeedbackFactory]:
        return {
            code: FeedbackFactory(
                office,
                self.seed,
                self._rate(office.unit, self.preset.feedback_per_day),
                self.units_of(office.unit.system_id),
            )
            for code, office in self.offices.items()
        }

    def dossiers(self, system_id: str, first_day: date, last_day: date) -> Iterator[Dossier]:
        units = self.units_of(system_id)
        for day in daterange(first_day, last_day):
            for unit in units:
                yield from self._dossier_factories[unit.code].for_day(day)

    def feedback(self, system_id: str, first_day: date, last_day: date) -> Iterator[Feedback]:
        units = self.units_of(system_id)
        for day in daterange(first_day, last_day):
            for unit in units:
                yield from self._feedback_factories[unit.code].for_day(day)
