"""Reconciliation: each system's whole key set and change times against what landed, weekly and on demand.

The nightly extraction trusts the systems' change times; reconciliation checks them. Per system and entity it
reads every record the system holds now (a window from 2000 to the moment of reading, through the same connector
and the same contract check as a night) and compares each key's change time with the latest landed one:

- `lost`: the system holds a change that never landed (a key missing from `raw`, or a later change time, before
  the end of the last night landed: later changes are the next night's): the
  system's watermark is moved back to before the earliest such change, so the next night re-reads it through the
  ordinary path (contract check, quarantine, audit), and the change lands;
- `backward_edit`: the system now shows an earlier change time than one that landed (history rewritten);
- `deleted`: a key that landed is no longer in the system.

Every finding is recorded in `audit.reconciliation_findings` with the run in `audit.reconciliation_runs`; the
command and the weekly DAG print and alert them. A csv_drop system keeps no history beyond its files, which
every night already compares by content: it has nothing more to reconcile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import psycopg

from onestop.extract.landing import EPOCH, RAW_TABLES
from onestop.night import LOCAL_TZ, Night
from onestop.registry import SystemEntry
from onestop.sources import contract, open_source

FINDINGS = ("lost", "backward_edit", "deleted")


@dataclass
class Reconciliation:
    system_id: str
    run_id: int | None = None
    source_keys: dict[str, int] = field(default_factory=dict)  # entity -> keys the system holds
    findings: dict[str, int] = field(default_factory=dict)  # kind of finding -> count
    rewound_to: datetime | None = None  # the watermark set so that the next night re-reads the lost changes
    skipped: str | None = None

    def line(self) -> str:
        if self.skipped:
            return f"{self.system_id}: {self.skipped}"
        held = ", ".join(f"{n} {entity}" for entity, n in self.source_keys.items())
        found = ", ".join(f"{n} {kind}" for kind, n in self.findings.items() if n) or "nothing differs"
        rewind = f"; the next night re-reads from {self.rewound_to:%Y-%m-%d %H:%M}" if self.rewound_to else ""
        return f"{self.system_id}: holds {held}; {found}{rewind}"


def source_keys(
    system: SystemEntry, read_at: datetime, known_units: frozenset[str]
) -> tuple[dict[str, dict[str, datetime]], dict[str, set]]:
    """Every key the system holds now with its change time, per entity; and the keys of records the contract
    rejects as a night would (the nightly quarantine's business: neither lost nor deleted)."""
    source = open_source(system, window_start=EPOCH, window_end=read_at, night=Night(read_at.date()))
    keys: dict[str, dict[str, datetime]] = {entity: {} for entity in RAW_TABLES}
    rejected: dict[str, set] = {entity: set() for entity in RAW_TABLES}
    bounds = contract.Bounds(
        window=(EPOCH, read_at), read_at=read_at, units=frozenset(system.units), known_units=known_units
    )
    for record in source.records():
        if record.payload is None:
            continue
        try:
            key, changed = contract.check(system.kind, record.entity, record.payload, None, bounds)
        except contract.Rejected:
            rejected[record.entity].add(str(record.payload.get(contract.CONTRACTS[(system.kind, record.entity)].key)))
            continue
        if changed > keys[record.entity].get(key, EPOCH):
            keys[record.entity][key] = changed
    return keys, rejected


def landed_keys(conn: psycopg.Connection, system_id: str, entity: str) -> dict[str, datetime]:
    rows = conn.execute(
        f"select record_key, max(changed_at) from {RAW_TABLES[entity]} where system_id = %s group by record_key",
        (system_id,),
    ).fetchall()
    return dict(rows)


def others_codes(conn: psycopg.Connection, system_id: str, keys) -> set[str]:
    """Of `keys`, the dossier codes another system landed first (the landing sets this system's aside)."""
    rows = conn.execute(
        "select record_key from (select distinct on (record_key) record_key, system_id from raw.dossier_records"
        " where record_key = any(%s) order by record_key, extracted_at, system_id) as owners where system_id <> %s",
        (list(keys), system_id),
    ).fetchall()
    return {key for (key,) in rows}


def compare(
    held: dict[str, datetime], landed: dict[str, datetime], unreadable: set = frozenset()
) -> list[tuple[str, str, datetime | None, datetime | None]]:
    """(finding, key, change time at the system, latest landed change time) for every key that differs; a key
    the system holds in a form the contract rejects is not called deleted."""
    found = []
    for key, changed in held.items():
        mine = landed.get(key)
        if mine is None or changed > mine:
            found.append(("lost", key, changed, mine))
        elif changed < mine:
            found.append(("backward_edit", key, changed, mine))
    found += [("deleted", key, None, landed[key]) for key in landed.keys() - held.keys() - unreadable]
    return sorted(found, key=lambda f: (FINDINGS.index(f[0]), f[1]))


def reconcile(url: str, system: SystemEntry, known_units: frozenset[str] = frozenset()) -> Reconciliation:
    """Reconcile one system as the loader (`url` its login): findings recorded, the watermark moved back
    before the earliest lost change, all in one transaction."""
    result = Reconciliation(system.id)
    if system.kind == "csv_drop":
        result.skipped = "csv_drop: every night compares its files by content; nothing more to reconcile"
        return result
    read_at = datetime.now(LOCAL_TZ).replace(tzinfo=None)
    held, unreadable = source_keys(system, read_at, known_units)
    with psycopg.connect(url) as conn:
        result.run_id = conn.execute(
            "insert into audit.reconciliation_runs (system_id, read_at) values (%s, %s) returning run_id",
            (system.id, read_at),
        ).fetchone()[0]
        # What changed after the end of the last night landed is the next night's business, not a lost change.
        horizon = conn.execute(
            "select max(window_end) from audit.extraction_runs where system_id = %s and status = 'success'",
            (system.id,),
        ).fetchone()[0]
        rows = []
        for entity in RAW_TABLES:
            result.source_keys[entity] = len(held[entity])
            landed = landed_keys(conn, system.id, entity)
            if horizon is not None:
                unreadable[entity] |= {k for k, changed in held[entity].items() if changed >= horizon}
            if entity == "dossiers":
                unreadable[entity] |= others_codes(conn, system.id, held[entity].keys() - landed.keys())
            held[entity] = {k: v for k, v in held[entity].items() if k not in unreadable[entity]}
            for finding, key, at_source, mine in compare(held[entity], landed, unreadable[entity]):
                rows.append((result.run_id, system.id, entity, finding, key, at_source, mine))
                result.findings[finding] = result.findings.get(finding, 0) + 1
        with conn.cursor() as cur:
            cur.executemany(
                "insert into audit.reconciliation_findings (run_id, system_id, entity, finding, record_key,"
                " source_changed_at, landed_changed_at) values (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        lost = [row[5] for row in rows if row[3] == "lost"]
        if lost:
            # The landing reads from the watermark less the lookback: at the earliest lost change, it is read.
            result.rewound_to = min(lost)
            conn.execute(
                "insert into audit.watermarks (system_id, entity, watermark) values (%s, 'all', %s)"
                " on conflict (system_id, entity) do update set watermark = least(audit.watermarks.watermark,"
                " excluded.watermark), updated_at = now()",
                (system.id, result.rewound_to),
            )
        conn.execute(
            "update audit.reconciliation_runs set findings = %s::jsonb, rewound_to = %s, finished_at = now()"
            " where run_id = %s",
            (json.dumps(result.findings), result.rewound_to, result.run_id),
        )
    return result
