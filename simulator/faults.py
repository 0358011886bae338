"""Faults injectable per system and night, as real district systems show them.

A fault file (JSON, beside the demo province) lists `{"system", "night", "fault", ...params}`; a night is the
day the world was advanced to (what that night's extraction reads). Kinds:
- `down`      the system is unreachable: `mode` refuse | 5xx | timeout (dvcqg_api); login refused (onegate_db);
              no files delivered until it is back (csv_drop)
- `slow`      every page takes `seconds` longer (dvcqg_api)
- `shifting`  a record changes while pages are read: it moves behind the cursor (dvcqg_api)
- `duplicates` a record is sent twice (dvcqg_api page, csv_drop file)
- `reexport`  the night's file is first exported incomplete, then corrected the next night (csv_drop)
- `malformed` a share `rate` of the night's records is broken (impossible date, unknown status, missing code,
              finish before receipt); every corruption is written to the fault ledger with its reason
- `renamed`   a column is renamed (`column` -> `to`) for that night
- `silent`    the system answers but sends no records at all for the night (dvcqg_api): a volume collapse
- `blank_code` every answer is an HTTP 200 whose `error_code` is "" and whose message says the session expired,
              with neither `tong_so` nor `result` (dvcqg_api): an answer that says nothing
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

KINDS = ("down", "slow", "shifting", "duplicates", "reexport", "malformed", "renamed", "silent", "blank_code")
MALFORMATIONS = ("impossible_date", "unknown_status", "missing_code", "finish_before_receipt")


@dataclass
class Fault:
    system: str
    night: date
    fault: str
    params: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"system": self.system, "night": self.night.isoformat(), "fault": self.fault, **self.params}


class FaultPlan:
    def __init__(self, path: Path):
        self.path = path

    def load(self) -> list[Fault]:
        if not self.path.exists():
            return []
        faults = []
        for entry in json.loads(self.path.read_text()):
            entry = dict(entry)
            faults.append(Fault(entry.pop("system"), date.fromisoformat(entry.pop("night")), entry.pop("fault"), entry))
        return faults

    def add(self, fault: Fault) -> None:
        if fault.fault not in KINDS:
            raise ValueError(f"unknown fault {fault.fault!r}; one of {', '.join(KINDS)}")
        faults = self.load() + [fault]
        self.path.write_text(json.dumps([f.to_json() for f in faults], ensure_ascii=False, indent=1))

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def active(self, system: str, night: date) -> dict[str, dict]:
        return {f.fault: f.params for f in self.load() if f.system == system and f.night == night}


class Ledger:
    """What the simulator broke, so tests can check the quarantine holds exactly that."""

    def __init__(self, path: Path):
        self.path = path

    def record(self, system: str, night: date, key: str, reason: str, where: str) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(
                json.dumps(
                    {"system": system, "night": night.isoformat(), "key": key, "reason": reason, "where": where},
                    ensure_ascii=False,
                )
                + "\n"
            )

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]


def pick_malformation(rng: random.Random, rate: float, reasons: list[str] | None = None) -> str | None:
    if rng.random() >= rate:
        return None
    return rng.choice(reasons or list(MALFORMATIONS))


# What each kind of system can suffer in a chaos run, and the column a vendor upgrade renames.
CHAOS_FAULTS = {
    "dvcqg_api": ("down", "shifting", "duplicates", "malformed", "renamed"),
    "onegate_db": ("down", "malformed", "renamed"),
    "csv_drop": ("down", "duplicates", "reexport", "malformed", "renamed"),
}
RENAMES = {
    "dvcqg_api": {"column": "NgayTiepNhan", "to": "NgayNhanHoSo"},
    "onegate_db": {"column": "received_at", "to": "receive_date"},
    "csv_drop": {"column": "Ngày tiếp nhận", "to": "Ngày nhận"},
}
DOWN_MODES = ("5xx", "refuse", "timeout")


def chaos_plan(kinds: dict[str, str], nights: list[date], seed: int, per_night: int = 2) -> list[Fault]:
    """Faults drawn from `seed` for every night but the last (which stays clean): `per_night` systems struck each
    night, every kind of fault at least once, a system down for one to three nights, a renamed column fixed two
    nights later (the vendor's hotfix). A system already struck by a lasting fault is left alone meanwhile."""
    rng = random.Random(seed)
    systems = sorted(kinds)
    busy_until: dict[str, date] = {}
    wanted = [kind for kind in KINDS if any(kind in offered for offered in CHAOS_FAULTS.values())]
    rng.shuffle(wanted)
    faults: list[Fault] = []
    struck = nights[:-1]
    for index, night in enumerate(struck):
        free = [s for s in systems if busy_until.get(s, date.min) < night]
        rng.shuffle(free)
        for system in free[:per_night]:
            offered = list(CHAOS_FAULTS[kinds[system]])
            # A lasting fault must end before the clean night.
            room = len(struck) - index
            if room < 2:
                offered.remove("renamed")
            pending = [kind for kind in wanted if kind in offered]
            kind = pending[0] if pending else rng.choice(offered)
            if kind in wanted:
                wanted.remove(kind)
            span, params = 1, {}
            if kind == "down":
                span = rng.randint(1, min(3, room))
                if kinds[system] == "dvcqg_api":
                    params = {"mode": rng.choice(DOWN_MODES), "seconds": 4}
            elif kind == "renamed":
                span, params = 2, dict(RENAMES[kinds[system]])
            elif kind == "malformed":
                params = {"rate": 0.05}
            for day in nights[index : index + span]:
                faults.append(Fault(system, day, kind, dict(params)))
            busy_until[system] = nights[index + span - 1]
    return faults
