"""The landing's write path: every valid record COPYed once, straight into its `raw` table, then the few that must
not stand taken out again by set-based statements, inside the landing's transaction.

Why this shape: the rules that decide what lands (a code another system owns, a version read twice in one night,
a version already standing, a re-run's own earlier rows) need the whole night beside `raw`. They used to be
applied while copying the night from a temporary table into `raw`, which wrote every payload twice. Now the
payloads go to `raw` once, while a narrow description of each record (sequence, entity, key, change time,
checksum, position; no payload) is spooled to a temporary file and loaded into the temporary table `incoming` at
the end: the rules read the narrow table and delete the rare rows they refuse. A first landing of a system (its
initial load) has nothing to compare with, and skips the comparisons altogether.

A night re-reads what its lookback overlaps: about half of what an API or a database system sends on a night
already stands in `raw`, exactly (key, change time and checksum). Those versions are not COPYed at all (`skip`):
the landing reads what stands in its window first (`standing_in_window_sql`) and writes only their narrow row, so
the rules still see every read, and a night writes what changed, not what it read again.

The COPY runs on a writer thread (psycopg's QueuedLibpqWriter): the contract check of the next records in Python
overlaps PostgreSQL's parsing and indexing of the last ones, one core each.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from datetime import datetime
from typing import IO

import psycopg
from psycopg.copy import QueuedLibpqWriter

RAW_COLUMNS = (
    "system_id, kind, batch_id, interval_start, interval_end, extracted_at, record_key, changed_at, checksum, payload"
)
# `copied`: the read's payload went to `raw` (false for a version that already stood there: RawWriter.skip).
INCOMING = """
create temp table incoming (
    seq bigint, entity text, record_key text, changed_at timestamp, checksum text, position text, copied boolean
) on commit drop
"""


def copy_text(value: str) -> str:
    """A value as a field of COPY's text format: a backslash, and the characters that end a field or a row, as
    escapes. (Rows are formatted here, joined, and sent in large pieces: the landing's own loop is the write path's
    bottleneck, and psycopg's row-by-row formatting took a third of it.)"""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


FLUSH_BYTES = 1 << 20
NARROW_ROWS = 10_000


class RawWriter:
    """COPY into `raw.<entity>` (one COPY open at a time: a source yields its entities one after the other) and
    the narrow spool beside it. Use as a context manager; `rows` counts what each table received, `skipped` the
    reads of each entity that only the narrow table holds."""

    def __init__(self, conn: psycopg.Connection, tables: dict[str, str], batch: tuple):
        self.conn, self.tables = conn, tables
        # The columns every row shares, formatted once.
        self.prefix = "\t".join(copy_text(v if isinstance(v, str) else v.isoformat(sep=" ")) for v in batch) + "\t"
        self.rows: dict[str, int] = {}
        self.skipped: dict[str, int] = {}
        self._entity: str | None = None
        self._copy: ExitStack | None = None
        self._copying = None
        self._pending: list[str] = []
        self._pending_bytes = 0
        # Closed in __exit__, whatever happens: the writer is itself the context manager.
        self._spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._narrow: list[str] = []
        # A csv file's rows share one change time (the file's day): formatted once, not once a row.
        self._changed: datetime | None = None
        self._changed_text = ""

    def __enter__(self) -> RawWriter:
        self._open(next(iter(self.tables)))  # the first entity's COPY, open while the source is first read
        return self

    def _open(self, entity: str) -> None:
        self._copy = ExitStack()
        cursor = self._copy.enter_context(self.conn.cursor())
        self._copying = self._copy.enter_context(
            cursor.copy(f"copy {self.tables[entity]} ({RAW_COLUMNS}) from stdin", writer=QueuedLibpqWriter(cursor))
        )
        self._entity = entity

    def write(self, seq: int, entity: str, key: str, changed: datetime, checksum: str, payload: str, position: str):
        if entity != self._entity:
            self._close()
            self._open(entity)
        key, changed_text = self._narrow_row(seq, entity, key, changed, checksum, position, "t")
        row = f"{self.prefix}{key}\t{changed_text}\t{checksum}\t{copy_text(payload)}\n"
        self._pending.append(row)
        self._pending_bytes += len(row)
        self.rows[entity] = self.rows.get(entity, 0) + 1
        if self._pending_bytes >= FLUSH_BYTES:
            self._flush()

    def skip(self, seq: int, entity: str, key: str, changed: datetime, checksum: str, position: str) -> None:
        """A read whose version already stands in `raw`: the rules see it (a later read of its key may differ, a
        re-run replaces its earlier run's rows), its payload is not written again."""
        self._narrow_row(seq, entity, key, changed, checksum, position, "f")
        self.skipped[entity] = self.skipped.get(entity, 0) + 1
        if len(self._narrow) >= NARROW_ROWS:  # a night that only re-reads: the spool, not memory, holds it
            self._flush_narrow()

    def _narrow_row(
        self, seq: int, entity: str, key: str, changed: datetime, checksum: str, position: str, copied: str
    ) -> tuple[str, str]:
        """Spool the read's narrow row; return its key and change time as COPY text."""
        if changed is not self._changed:
            self._changed, self._changed_text = changed, changed.isoformat(sep=" ")
        key, changed_text = copy_text(key), self._changed_text
        self._narrow.append(f"{seq}\t{entity}\t{key}\t{changed_text}\t{checksum}\t{copy_text(position)}\t{copied}\n")
        return key, changed_text

    def _flush(self) -> None:
        if self._pending:
            self._copying.write("".join(self._pending))
            self._pending.clear()
            self._pending_bytes = 0
        self._flush_narrow()

    def _flush_narrow(self) -> None:
        if self._narrow:
            self._spool.write("".join(self._narrow))
            self._narrow.clear()

    def _close(self) -> None:
        if self._copy is not None:
            self._flush()
            self._copy.close()
            self._copy = self._copying = self._entity = None

    def __exit__(self, kind, error, trace) -> None:
        try:
            if error is None:
                self._close()
                self._load_incoming()
            elif self._copy is not None:
                # The transaction is rolled back: what was copied goes with it. Closing the COPY with the error
                # tells the server to abandon it.
                self._copy.__exit__(kind, error, trace)
        finally:
            self._spool.close()

    def _load_incoming(self) -> None:
        self.conn.execute(INCOMING)
        self._spool.seek(0)
        with self.conn.cursor().copy("copy incoming from stdin") as copy:
            while chunk := self._spool.read(FLUSH_BYTES):
                copy.write(chunk)
        self.conn.execute("analyze incoming")  # the rules' plans depend on its size: from one row to millions


# A dossier code belongs to the system that landed it first: another system's record with that code would replace the
# owner's dossier downstream (its versions compete by change time), so it is set aside instead. Only codes another
# system has landed too are contested (`CONTESTED`). They are found in the key index alone (raw.*_key leads with the
# code, then the system): the batch's codes as one sorted array, read in two ranges each side of this system's own, so
# its rows, just written, are never read, nor any other unless its code is contested. PostgreSQL (17 and later; an older
# one descends the index once a code) walks a sorted array along the index's leaves: 0.15-0.35 s for a system's
# 125,000-150,000 codes on the year, where a subquery per code made the planner hash every other system's codes out of
# the table itself on an initial load (315,000 pages of `raw`: 1.5 s, up to 4 s just after the other systems' landings).
CONTESTED = """
with codes as (
    select array_agg(distinct record_key) as keys from incoming where entity = 'dossiers'
)
select other.record_key from raw.dossier_records as other
where other.record_key = any((select keys from codes)::text[]) and other.system_id < %(system)s
union
select other.record_key from raw.dossier_records as other
where other.record_key = any((select keys from codes)::text[]) and other.system_id > %(system)s
"""
# The array must be an index condition. A plan that filters rows by it instead searches it element by element for
# each row: harmless over a range of systems that holds nothing (the batch index's range after the last system), it
# ran for minutes over one that the statistics said was empty and was not (taken by an autovacuum between the
# systems' initial loads). No planner setting switches that plan off alone, so the landing asks for the plan first
# (`filtered_sides`), and if it filters a range that holds FILTERED_ROWS rows or more (`range_rows_sql`), asks
# code by code instead (`CONTESTED_BY_CODE`: each code's two ranges, or the other systems' codes hashed): slower, as
# before, and never worse than the table's size.
FILTERED_ROWS = 1000
CONTESTED_BY_CODE = """
select codes.record_key
from (select distinct record_key from incoming where entity = 'dossiers') as codes
where exists (
    select 1 from raw.dossier_records as other
    where other.record_key = codes.record_key and other.system_id < %(system)s
) or exists (
    select 1 from raw.dossier_records as other
    where other.record_key = codes.record_key and other.system_id > %(system)s
)
"""


def filtered_sides(plan: dict) -> set[str]:
    """The ranges of systems (`<`: those before this one, `>`: those after it) whose rows a plan (a node of EXPLAIN's
    JSON, and those under it) filters by an array (`= ANY (...)`) rather than finding them with it in an index."""
    sides: set[str] = set()
    if "= ANY (" in plan.get("Filter", ""):
        conditions = f"{plan.get('Index Cond', '')} {plan['Filter']}"
        sides = {side for side in "<>" if f"system_id {side} " in conditions} or set("<>")
    return sides.union(*(filtered_sides(node) for node in plan.get("Plans", [])))


def range_rows_sql(side: str) -> str:
    """How many rows (up to FILTERED_ROWS) the systems before this one (`side` `<`) or after it (`>`) hold."""
    assert side in ("<", ">"), side
    return f"""
select count(*) from (
    select from raw.dossier_records where system_id {side} %(system)s limit {FILTERED_ROWS}
) as found
"""


# The contested codes' owners, and the batch's reads of a code another system owns, taken out of `incoming`.
CLAIMED = """
with owners as (
    select contested.record_key, first_landed.system_id as owner
    from unnest(%(contested)s::text[]) as contested (record_key)
    cross join lateral (
        select r.system_id from raw.dossier_records as r
        where r.record_key = contested.record_key
        order by r.extracted_at, r.system_id
        limit 1
    ) as first_landed
)
delete from incoming as i
using owners as o
where i.entity = 'dossiers' and i.record_key = o.record_key and o.owner <> %(system)s
returning i.position, i.record_key, i.changed_at, i.checksum, o.owner
"""
CLAIMED_PAYLOADS = """
delete from raw.dossier_records as r
where r.system_id = %(system)s and r.interval_start = %(interval)s and r.batch_id = %(batch)s
    and r.record_key = any(%(codes)s)
returning r.record_key, r.changed_at, r.checksum, r.payload::text
"""

# A claimed read that was never written (its version stood already: RawWriter.skip) is quarantined with the payload
# of that standing version: the same text, as its checksum says.
CLAIMED_STANDING = """
select distinct on (r.record_key, r.changed_at, r.checksum) r.record_key, r.changed_at, r.checksum, r.payload::text
from raw.dossier_records as r
where r.system_id = %(system)s and r.record_key = any(%(codes)s) and r.batch_id <> %(batch)s
order by r.record_key, r.changed_at, r.checksum
"""

# The night of this system's first landing (its first run that succeeded, this one aside). None: `raw` holds nothing
# of it to compare with but this batch, and a first landing (the initial load) skips the re-run and the
# standing-version rules. Asked of the audit, not of raw, where the answer would mean reading past the batch's own
# rows.
FIRST_LANDED = """
select min(interval_start) from audit.extraction_runs
where system_id = %(system)s and status = 'success' and run_id <> %(run)s
"""


def rerun_sql(table: str) -> str:
    """A re-run replaces the versions it reads again; versions an earlier run of this night landed and the system
    no longer shows (it has moved on since) stay: nothing a system sent is ever lost."""
    return f"""
delete from {table} as r
using (select distinct record_key, changed_at from incoming where entity = %(entity)s) as i
where r.system_id = %(system)s and r.interval_start = %(interval)s and r.batch_id <> %(batch)s
    and r.record_key = i.record_key and r.changed_at = i.changed_at
"""


def repeats_sql(table: str) -> str:
    """A version (key and change time) read more than once this night: the last read stands (its checksum); the
    batch's other rows of it go, and of identical ones all but one. If the last read was not copied (it already
    stood: RawWriter.skip), none of the batch's rows of it stays."""
    return f"""
with read_twice as (
    select record_key, changed_at from incoming where entity = %(entity)s
    group by record_key, changed_at having count(*) > 1
),
last_read as (
    select distinct on (i.record_key, i.changed_at) i.record_key, i.changed_at, i.checksum
    from incoming as i
    inner join read_twice as t on i.record_key = t.record_key and i.changed_at = t.changed_at
    where i.entity = %(entity)s
    order by i.record_key, i.changed_at, i.seq desc
),
kept as (
    select min(r.ctid) as row_id, r.record_key, r.changed_at
    from {table} as r
    inner join last_read as l
        on r.record_key = l.record_key and r.changed_at = l.changed_at and r.checksum = l.checksum
    where r.system_id = %(system)s and r.interval_start = %(interval)s and r.batch_id = %(batch)s
    group by r.record_key, r.changed_at
)
delete from {table} as r
using last_read as l
where r.system_id = %(system)s and r.interval_start = %(interval)s and r.batch_id = %(batch)s
    and r.record_key = l.record_key and r.changed_at = l.changed_at
    and not exists (select 1 from kept as k where k.row_id = r.ctid)
"""


def standing_sql(table: str, taken_back: str) -> str:
    """A version already landed is not landed again, unless a retraction took it back since (the row is in the
    file again, as it was). `taken_back` is the rule (landing.taken_back) applied to the alias `r`. The reads
    found standing before the COPY (`standing_in_window_sql`) were never written, and are not looked for."""
    return f"""
delete from {table} as x
using (
    select distinct i.record_key, i.changed_at, i.checksum from incoming as i
    where i.entity = %(entity)s and i.copied and exists (
        select 1 from {table} as r
        where r.record_key = i.record_key and r.changed_at = i.changed_at and r.checksum = i.checksum
            and r.system_id = %(system)s and r.batch_id <> %(batch)s and not {taken_back}
    )
) as s
where x.system_id = %(system)s and x.interval_start = %(interval)s and x.batch_id = %(batch)s
    and x.record_key = s.record_key and x.changed_at = s.changed_at and x.checksum = s.checksum
"""


def standing_in_window_sql(table: str, taken_back: str) -> str:
    """The versions of this system that stand in `raw` (`standing_sql`'s rule) with a change time in the window a
    night reads: its lookback reads them again, and the landing, knowing them before the COPY, does not write them.
    A version changed at t was landed by a night that ended after t (a later change lies outside a window), so only
    nights after the window's start less a day are read, by the batch index: `since` is that, or the system's first
    landing if later. That batch holds the system's whole history: reading past it would cost what the history costs
    (on the year, the planner then walked the key index instead: 0.1-0.5 s a system). The few versions of it the
    lookback of the first nights reads again are written, and taken out by `standing_sql`, as before. The night's own
    earlier runs are left out too: a re-run replaces what they landed and it reads again (`rerun_sql`)."""
    return f"""
select r.record_key, r.changed_at, r.checksum from {table} as r
where r.system_id = %(system)s and r.interval_start > %(since)s and r.interval_start <> %(interval)s
    and r.changed_at >= %(window_start)s and r.changed_at < %(window_end)s and not {taken_back}
"""
