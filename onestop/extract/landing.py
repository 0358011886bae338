"""Landing one system's night in `raw`: COPY, dedupe, quarantine, audit and watermark, in one transaction.

A night of a system is a batch keyed on (system, interval). Running it again replaces, atomically, what that
batch landed and reads again, so re-runs and backfills leave `raw` as one run would; a failure rolls everything
back and the system's earlier data stays. Versions already landed by an earlier night (the lookback re-reads
them) are not landed twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg

from onestop.extract.raw_writer import (
    CLAIMED,
    CLAIMED_PAYLOADS,
    CLAIMED_STANDING,
    CONTESTED,
    CONTESTED_BY_CODE,
    FILTERED_ROWS,
    FIRST_LANDED,
    RawWriter,
    filtered_sides,
    range_rows_sql,
    repeats_sql,
    rerun_sql,
    standing_in_window_sql,
    standing_sql,
)
from onestop.night import LOCAL_TZ, Night
from onestop.registry import SystemEntry
from onestop.sources import Record, SourceError, contract, open_source
from onestop.sources.csv_drop import csv_entity

log = logging.getLogger(__name__)

EPOCH = datetime(2000, 1, 1)
RAW_TABLES = {"dossiers": "raw.dossier_records", "feedback": "raw.feedback_records"}
# The newest version of a csv day's file wins (district-systems.md): a row an earlier version of the file held and
# the version read now does not is retracted, by a marker version (checksum 'retracted', landed now) that staging
# reads as "every version of that key and change time landed before me no longer stands". Not for a file with
# quarantined rows: a row that cannot be read is not a row the system took back.
RETRACTED = "retracted"


def taken_back(table: str, version: str) -> str:
    """SQL: the version aliased `version` of `table` was taken back by a retraction mark landed after it (the one
    rule landing, retention and dbt's `standing_csv_versions` apply)."""
    return (
        f"exists (select 1 from {table} as mark where mark.system_id = {version}.system_id"
        f" and mark.record_key = {version}.record_key and mark.changed_at = {version}.changed_at"
        f" and mark.checksum = '{RETRACTED}' and mark.extracted_at > {version}.extracted_at)"
    )


def retract_sql(table: str) -> str:
    """Marks for the rows of an earlier version of a file that the version read now no longer holds. Those rows are
    read by the file index (sql/04_raw.sql), whose predicate `kind = 'csv_drop'` repeats: without it the plan
    cannot use the index, and reads every row the system ever landed."""
    return f"""
insert into {table} (system_id, kind, batch_id, interval_start, interval_end, extracted_at, record_key, changed_at,
    checksum, payload)
select distinct on (r.record_key, r.changed_at) r.system_id, r.kind, %(batch)s, %(interval)s, %(interval_end)s,
    %(extracted_at)s, r.record_key, r.changed_at, '{RETRACTED}',
    jsonb_build_object('_file', r.payload ->> '_file', '_retracted_by', %(checksum)s::text)
from {table} as r
where r.system_id = %(system)s and r.kind = 'csv_drop' and r.checksum <> '{RETRACTED}'
    and r.payload ->> '_file' = %(file)s
    and r.record_key not in (select i.record_key from incoming as i where i.entity = %(entity)s
        and i.position like %(lines)s)
    and not {taken_back(table, "r")}
order by r.record_key, r.changed_at
"""


@dataclass
class Outcome:
    system_id: str
    run_id: int
    status: str = "running"
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    duplicates_dropped: int = 0
    rows_retracted: int = 0  # csv rows a corrected re-export of their file no longer holds
    # Reads whose version already stood in `raw` (what the lookback reads again), never written: duplicates dropped,
    # or quarantined if another system owns the code.
    rows_standing: int = 0
    control_total: int | None = None
    bytes_read: int = 0
    window: tuple[datetime, datetime] | None = None
    error: str | None = None
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    source_seconds: float = 0.0
    latest_change: datetime | None = None  # the latest change time read: where the next window takes over
    suspicion: str | None = None  # why a successful read cannot be vouched for (the gate judges it incomplete)
    # The write path's time by phase (WRITE_PHASES), the source's time left out: where a night's landing goes.
    write_phases: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["window"] = [w.isoformat() for w in self.window] if self.window else None
        data["latest_change"] = self.latest_change.isoformat() if self.latest_change else None
        return data


# The landing's phases, in order: its start (the window, what stands in it already, the csv files landed, the
# batch's earlier quarantine), the records (the contract check, the checksum, the COPY's rows), the COPY's end (the
# server finishing the rows, the narrow table and its statistics), the rules (CLAIMED and the rest, raw_writer.py),
# quarantine, retractions (retract_sql), and the bookkeeping (csv files, the watermark). Connecting, the run's audit
# row and the month's partition come before them, and the landing timer holds those too; the audit's update and the
# commit come after it stops.
WRITE_PHASES = ("start", "records", "copy_end", "rules", "quarantine", "retractions", "bookkeeping")


class _PhaseClock:
    """Marks the end of each phase of the write path, adding its time, less the source's meanwhile, to the
    outcome."""

    def __init__(self, outcome: Outcome):
        self.outcome = outcome
        self.last, self.source_at_last = time.perf_counter(), outcome.source_seconds

    def mark(self, phase: str) -> None:
        now, source = time.perf_counter(), self.outcome.source_seconds
        self.outcome.write_phases[phase] = round(now - self.last - (source - self.source_at_last), 4)
        self.last, self.source_at_last = now, source


def _timed(records: Iterator[Record], outcome: Outcome) -> Iterator[Record]:
    """The source's records, adding the time spent inside the source (network, files, parsing) to the outcome,
    so the write path's own time can be told apart (the landing benchmark compares it with a bare COPY)."""
    while True:
        began = time.perf_counter()
        record = next(records, None)
        outcome.source_seconds += time.perf_counter() - began
        if record is None:
            return
        yield record


def _clean_text(text: str) -> str:
    """Text PostgreSQL can store: invalid UTF-8 (kept as surrogates) and NUL bytes shown, never dropped."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\x00", "\\u0000")


def extraction_window(
    interval_end: datetime,
    lookback: timedelta,
    watermark: datetime | None = None,
    replayed_start: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The change times `[start, end)` a run reads: a re-run of a night reads what its first successful run read
    (replays are deterministic); otherwise from the system's watermark less the lookback (so a record that moved
    between pages, or landed late, is read again), or everything on a system's first run; never past the night."""
    if replayed_start is not None:
        return replayed_start, interval_end
    start = watermark - lookback if watermark is not None else EPOCH
    return min(start, interval_end), interval_end


class Landing:
    def __init__(
        self,
        url: str,
        system: SystemEntry,
        night: Night,
        lookback: timedelta,
        try_number: int = 1,
        airflow_run_id: str | None = None,
        known_units: Collection[str] = (),
    ):
        self.url = url
        self.known_units = frozenset(known_units)  # units.csv: a unit outside it is `unknown_unit`
        self.system = system
        self.night = night
        self.interval_start, self.interval_end = night.start, night.end
        self.lookback = lookback
        self.try_number = try_number
        self.airflow_run_id = airflow_run_id

    def _connect(self, autocommit: bool = False) -> psycopg.Connection:
        # `url` is the loader's own login (onestop.warehouse.credentials): its grants are all it can reach.
        return psycopg.connect(self.url, autocommit=autocommit)

    def run(self) -> Outcome:
        started = time.monotonic()
        with self._connect(autocommit=True) as conn:
            # The night's month of `raw` (a partition; the first night of a month adds it, outside the landing's
            # transaction so that the systems landing at once do not queue behind one another's).
            conn.execute("select raw.ensure_month(%s)", (self.interval_start,))
            # A run still 'running' for this batch was killed before it could say so (its transaction rolled back
            # with its connection): the same batch never runs twice at once (one task per system and night).
            conn.execute(
                "update audit.extraction_runs set status = 'failed', finished_at = now(), error = 'interrupted: the"
                " process ended before the run finished (nothing of it was landed)' where system_id = %s"
                " and interval_start = %s and status = 'running'",
                (self.system.id, self.interval_start),
            )
            run_id = conn.execute(
                "insert into audit.extraction_runs (system_id, entity, interval_start, interval_end, try_number,"
                " airflow_run_id, status) values (%s, 'all', %s, %s, %s, %s, 'running') returning run_id",
                (self.system.id, self.interval_start, self.interval_end, self.try_number, self.airflow_run_id),
            ).fetchone()[0]
        outcome = Outcome(self.system.id, run_id)
        try:
            with self._connect() as conn:
                self._land(conn, outcome)
                outcome.status = "success"
                self._finish(conn, outcome, time.monotonic() - started)
        except Exception as error:
            outcome.status, outcome.error = "failed", f"{type(error).__name__}: {error}"
            with self._connect(autocommit=True) as conn:
                self._finish(conn, outcome, time.monotonic() - started)
            raise
        return outcome

    def _window(self, conn: psycopg.Connection) -> tuple[datetime, datetime]:
        replay = conn.execute(
            "select window_start from audit.extraction_runs where system_id = %s and interval_start = %s"
            " and status = 'success' and window_start is not null order by run_id limit 1",
            (self.system.id, self.interval_start),
        ).fetchone()
        mark = conn.execute(
            "select watermark from audit.watermarks where system_id = %s and entity = 'all'", (self.system.id,)
        ).fetchone()
        return extraction_window(
            self.interval_end, self.lookback, mark[0] if mark else None, replay[0] if replay else None
        )

    def _retract(self, conn, source, quarantined, batch_id: str, extracted_at: datetime, earlier: set[str]) -> int:
        """Retract what an earlier version of a file read now held and this version does not (`retract_sql`)."""
        damaged = {row[4].split(" line ", 1)[0] for row in quarantined}
        retracted = 0
        for name, checksum in getattr(source, "files", []):
            entity = csv_entity(name)
            if entity is None or name not in earlier or name in damaged:
                continue
            table = RAW_TABLES[entity]
            retracted += conn.execute(
                retract_sql(table),
                {
                    "batch": batch_id,
                    "interval": self.interval_start,
                    "interval_end": self.interval_end,
                    "extracted_at": extracted_at,
                    "checksum": checksum,
                    "system": self.system.id,
                    "file": name,
                    "entity": entity,
                    "lines": f"{name} line %",
                },
            ).rowcount
        return retracted

    def _csv_files(self, conn: psycopg.Connection) -> tuple[dict[str, str], set[str]]:
        """A csv_drop system's files already landed, in one read: what other nights landed (name -> checksum, the
        latest landing winning; an unchanged file is not read again) and every name landed before (a file read
        again is a re-export: what it no longer holds is taken back)."""
        rows = conn.execute(
            "select file_name, checksum, interval_start from audit.csv_files where system_id = %s order by loaded_at",
            (self.system.id,),
        ).fetchall()
        loaded = {name: checksum for name, checksum, interval in rows if interval != self.interval_start}
        return loaded, {name for name, _, _ in rows}

    def _land(self, conn: psycopg.Connection, outcome: Outcome) -> None:
        system, interval = self.system, self.interval_start
        batch_id = f"{system.id}-{interval:%Y%m%d}-r{outcome.run_id}"
        clock = _PhaseClock(outcome)
        outcome.window = self._window(conn)
        loaded_files, earlier_files = self._csv_files(conn) if system.kind == "csv_drop" else (None, set())
        for table in ("audit.quarantine", "audit.csv_files"):
            conn.execute(f"delete from {table} where system_id = %s and interval_start = %s", (system.id, interval))
        batch = {"system": system.id, "interval": interval, "batch": batch_id, "run": outcome.run_id}
        first_landed = conn.execute(FIRST_LANDED, batch).fetchone()[0]
        landed_before = first_landed is not None
        # What the lookback reads again and already stands is not written again. Not for a csv system: it reads a
        # file again only when the file changed (a re-export), and a file's rows have no window.
        standing = (
            self._standing(conn, batch, outcome.window, first_landed)
            if landed_before and system.kind != "csv_drop"
            else {}
        )
        began = time.perf_counter()
        source = open_source(
            system,
            window_start=outcome.window[0],
            window_end=outcome.window[1],
            night=self.night,
            loaded_files=loaded_files,
        )
        outcome.source_seconds += time.perf_counter() - began  # connecting (and resolving the connection) counts
        # Judged against what was asked (the window; a csv file's rows change on its day), the moment of reading
        # (local time, as the systems write it) and the units the registry gives this system.
        bounds = contract.Bounds(
            window=None if system.kind == "csv_drop" else outcome.window,
            read_at=datetime.now(LOCAL_TZ).replace(tzinfo=None),
            units=frozenset(system.units),
            known_units=self.known_units,
        )
        quarantined: list[tuple] = []
        read_per_entity: dict[str, int] = {}
        extracted_at = datetime.now().astimezone()
        shared = (system.id, system.kind, batch_id, interval, self.interval_end, extracted_at)
        clock.mark("start")
        with RawWriter(conn, RAW_TABLES, shared) as writer:
            for seq, record in enumerate(_timed(source.records(), outcome)):
                read_per_entity[record.entity] = read_per_entity.get(record.entity, 0) + 1
                reason, rewritten = record.error, False
                if reason is None:
                    try:
                        day_end = record.payload.get("_file_day_end")
                        rewritten = contract.canonical_status(
                            contract.CONTRACTS[(system.kind, record.entity)], record.payload
                        )
                        key, changed = contract.check(
                            system.kind,
                            record.entity,
                            record.payload,
                            contract.parse_date(day_end, None) if day_end else None,
                            bounds,
                            record.payload_json or record.raw,
                            canonical=True,
                        )
                    except contract.Rejected as rejected:
                        reason = str(rejected)
                if reason:
                    quarantined.append(
                        (system.id, record.entity, batch_id, interval, record.position, reason, _clean_text(record.raw))
                    )
                    continue
                raw = record.raw
                if changed is not None and (outcome.latest_change is None or changed > outcome.latest_change):
                    outcome.latest_change = changed
                checksum = hashlib.md5(raw.encode()).hexdigest()
                if standing and (key, changed, checksum) in standing[record.entity]:  # none on an initial load
                    writer.skip(seq, record.entity, key, changed, checksum, record.position)
                    continue
                writer.write(
                    seq,
                    record.entity,
                    key,
                    changed,
                    checksum,
                    # A status word rewritten to the contract's ("Done" → "done") lands as rewritten.
                    json.dumps(record.payload, ensure_ascii=False) if rewritten else record.payload_json or raw,
                    record.position,
                )
            clock.mark("records")
        clock.mark("copy_end")
        outcome.rows_read = sum(read_per_entity.values())
        outcome.bytes_read = source.bytes_read
        totals = source.control_totals
        if totals:
            outcome.control_total = sum(totals.values())
            for entity, total in totals.items():
                if read_per_entity.get(entity, 0) != total:
                    raise SourceError(
                        f"system {system.id}: control total mismatch for {entity}: the system said "
                        f"tong_so={total}, {read_per_entity.get(entity, 0)} were read"
                    )
        claimed, claimed_unwritten = self._claimed(conn, batch)
        quarantined += claimed
        skipped = outcome.rows_standing = sum(writer.skipped.values())
        valid = sum(writer.rows.values()) + skipped - len(claimed)
        dropped = skipped - claimed_unwritten  # the reads that stood already, never written: dropped as duplicates
        for entity, table in RAW_TABLES.items():
            if not (writer.rows.get(entity) or writer.skipped.get(entity)):
                continue
            at = {**batch, "entity": entity}
            if landed_before:
                conn.execute(rerun_sql(table), at)
            dropped += conn.execute(repeats_sql(table), at).rowcount
            if landed_before:
                dropped += conn.execute(standing_sql(table, taken_back(table, "r")), at).rowcount
        outcome.duplicates_dropped = dropped
        outcome.rows_landed = valid - dropped
        clock.mark("rules")
        if quarantined:
            with conn.cursor().copy(
                "copy audit.quarantine (system_id, entity, batch_id, interval_start, position,"
                " reason, raw_row) from stdin"
            ) as copy:
                for row in quarantined:
                    copy.write_row(row)
        outcome.rows_quarantined = len(quarantined)
        for row in quarantined:
            code = row[5].split(":", 1)[0]
            outcome.quarantine_reasons[code] = outcome.quarantine_reasons.get(code, 0) + 1
        clock.mark("quarantine")
        outcome.rows_retracted = self._retract(conn, source, quarantined, batch_id, extracted_at, earlier_files)
        clock.mark("retractions")
        conn.cursor().executemany(  # one round trip for an initial load's hundreds of files
            "insert into audit.csv_files (system_id, file_name, checksum, interval_start, batch_id)"
            " values (%s, %s, %s, %s, %s) on conflict do nothing",
            [(system.id, name, checksum, interval, batch_id) for name, checksum in getattr(source, "files", [])],
        )
        outcome.suspicion = self._suspicion(outcome)
        if outcome.latest_change is not None:
            # The watermark covers what was read, never the whole window asked for: after an answer that said
            # nothing (a system that lost its session, or its data) the next window starts where data was last
            # seen, not after a gap no one can vouch for.
            conn.execute(
                "insert into audit.watermarks (system_id, entity, watermark) values (%s, 'all', %s)"
                " on conflict (system_id, entity) do update set watermark = greatest(audit.watermarks.watermark,"
                " excluded.watermark), updated_at = now()",
                (system.id, min(outcome.latest_change, self.interval_end)),
            )
        clock.mark("bookkeeping")

    def _standing(
        self, conn: psycopg.Connection, batch: dict, window: tuple[datetime, datetime], first_landed: datetime
    ) -> dict[str, frozenset[tuple]]:
        """Per entity, the versions (key, change time, checksum) of this system that stand in `raw` with a change
        time in the night's window, landed after its first landing (`standing_in_window_sql`): the reads the COPY
        skips."""
        start, end = window
        since = max(start - timedelta(days=1), first_landed)
        at = {**batch, "since": since, "window_start": start, "window_end": end}
        return {
            entity: frozenset(
                (key, changed, checksum)
                for key, changed, checksum in conn.execute(standing_in_window_sql(table, taken_back(table, "r")), at)
            )
            for entity, table in RAW_TABLES.items()
        }

    def _contested(self, conn: psycopg.Connection, batch: dict) -> list[str]:
        """The batch's dossier codes another system has landed too (`CONTESTED`); code by code if the plan would
        filter a range of systems that holds rows by the batch's array of codes (`filtered_sides`)."""
        plan = conn.execute(f"explain (format json) {CONTESTED}", batch).fetchone()[0][0]["Plan"]
        query = CONTESTED
        for side in sorted(filtered_sides(plan)):
            if conn.execute(range_rows_sql(side), batch).fetchone()[0] >= FILTERED_ROWS:
                log.info(
                    "system %s: contested codes asked code by code (the plan filtered system_id %s)",
                    self.system.id,
                    side,
                )
                query = CONTESTED_BY_CODE
                break  # the other side need not be counted: the codes are asked one by one for both
        return [code for (code,) in conn.execute(query, batch)]

    def _claimed(self, conn: psycopg.Connection, batch: dict) -> tuple[list[tuple], int]:
        """The batch's dossiers whose code another system landed first (`CLAIMED`), taken out of `raw` again and
        returned as quarantine rows, each with its own position and payload; and how many of them were never
        written (their version stood already: their payload is that version's)."""
        contested = self._contested(conn, batch)
        found = conn.execute(CLAIMED, {**batch, "contested": contested}).fetchall() if contested else []
        if not found:
            return [], 0
        payloads: dict[tuple, list[str]] = {}
        for key, changed, checksum, payload in conn.execute(
            CLAIMED_PAYLOADS, {**batch, "codes": sorted({key for _, key, _, _, _ in found})}
        ):
            payloads.setdefault((key, changed, checksum), []).append(payload)
        unwritten = [
            (key, changed, checksum)
            for _, key, changed, checksum, _ in found
            if (key, changed, checksum) not in payloads
        ]
        stood: dict[tuple, str] = {}
        if unwritten:
            codes = sorted({key for key, _, _ in unwritten})
            stood = {
                (key, changed, checksum): payload
                for key, changed, checksum, payload in conn.execute(CLAIMED_STANDING, {**batch, "codes": codes})
            }
        return [
            (
                self.system.id,
                "dossiers",
                batch["batch"],
                self.interval_start,
                position,
                f"claimed_code: {key} is a dossier of system {owner} (landed there first)",
                payloads[(key, changed, checksum)].pop()
                if (key, changed, checksum) in payloads
                else stood[(key, changed, checksum)],
            )
            for position, key, changed, checksum, owner in found
        ], len(unwritten)

    def _suspicion(self, outcome: Outcome) -> str | None:
        """A window that starts before the last change the system showed (the lookback) must show that change
        again, or a later one: a system with history that answers a non-empty window with nothing is not telling
        what it holds. (A csv system's files are not windows: a missing file is already a failure.)"""
        start, end = outcome.window
        if self.system.kind == "csv_drop" or outcome.rows_read or start <= EPOCH or start >= end:
            return None
        return (
            f"silent: the system answered the window [{start:%Y-%m-%d %H:%M}, {end:%Y-%m-%d %H:%M}) with no record,"
            " though it holds changes from before the window's end (its watermark); the watermark stays"
        )

    def _finish(self, conn: psycopg.Connection, outcome: Outcome, seconds: float) -> None:
        window = outcome.window or (None, None)
        conn.execute(
            "update audit.extraction_runs set window_start = %s, window_end = %s, rows_read = %s, rows_landed = %s,"
            " rows_quarantined = %s, duplicates_dropped = %s, rows_retracted = %s, control_total = %s,"
            " bytes_read = %s, seconds = %s,"
            " source_seconds = %s, status = %s, error = %s, suspicion = %s, finished_at = now() where run_id = %s",
            (
                window[0],
                window[1],
                outcome.rows_read,
                outcome.rows_landed,
                outcome.rows_quarantined,
                outcome.duplicates_dropped,
                outcome.rows_retracted,
                outcome.control_total,
                outcome.bytes_read,
                round(seconds, 3),
                round(outcome.source_seconds, 3),
                outcome.status,
                outcome.error,
                outcome.suspicion,
                outcome.run_id,
            ),
        )
