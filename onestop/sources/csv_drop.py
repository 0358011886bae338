"""`csv_drop`: the nightly files a system exports into its folder (UTF-8 with BOM, CRLF, Vietnamese headers).

Every file not yet loaded with the same content is read: a day's file written again with corrections (a new
checksum) is read again and its rows win downstream, since they were landed later; a file already loaded with
the same checksum is skipped, so nothing is counted twice. A file whose header lost a contract column fails
the system with the file and column named. The system writes both files every day, empty or not: a night
whose files are missing was not delivered (the system or its export is down), and fails until they come.

What real exports do is met here, not downstream: a file still being written (it does not end with a line end,
or its size moves while it is read, or, for a system the registry says writes one, its `<file>.done` marker is
not there yet) is "not delivered yet"; a file in another encoding or with another delimiter fails naming them;
Excel's blank rows are skipped; a file whose name is not the contract's (`hoso_20250601 (1).csv`, a copy) is
reported once, in quarantine, and not read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from json.encoder import encode_basestring as quoted
from operator import add
from pathlib import Path

from onestop.sources.base import Record, SchemaError, SourceError
from onestop.sources.contract import missing_columns

FILE_NAME = re.compile(r"^(hoso|phananh)_(\d{8})\.csv$")
ENTITY = {"hoso": "dossiers", "phananh": "feedback"}
MARKER = ".done"  # `hoso_20250601.csv.done`: written by a system once its file is complete (registry: done_marker)
NOT_DATA = re.compile(r"^(\.|~\$)|\.done$")  # hidden files, Excel's lock files (~$…), markers


class NotDeliveredYet(SourceError):
    """A file that is still being written: the night is not delivered yet, a later try reads it whole."""


def csv_entity(name: str) -> str | None:
    """The entity a day's file of the contract holds ("dossiers", "feedback"), None for any other name."""
    match = FILE_NAME.match(name)
    return ENTITY[match.group(1)] if match else None


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class CsvDropSource:
    def __init__(self, entry, loaded_files: dict[str, str], night: date | None = None):
        self.system_id = entry.id
        self.night = night  # whose files must be there
        self.folder = Path(entry.path)
        self.done_marker = bool(getattr(entry, "done_marker", False))
        self.loaded = loaded_files  # file name -> checksum already landed
        self.files: list[tuple[str, str]] = []  # (name, checksum) read (or reported) this run
        self.control_totals: dict[str, int] = {}
        self.bytes_read = 0

    def describe(self) -> str:
        return f"{self.system_id} ({self.folder})"

    def _complete(self, path: Path) -> bool:
        return not self.done_marker or path.with_name(path.name + MARKER).is_file()

    def pending(self) -> list[tuple[Path, bytes, str]]:
        """The files to read this run, each (path, content, checksum), content taken in one read."""
        if not self.folder.is_dir():
            raise SourceError(f"system {self.system_id}: drop folder {self.folder} is not reachable")
        if self.night:
            names = [f"{prefix}_{self.night:%Y%m%d}.csv" for prefix in ENTITY]
            missing = [name for name in names if not (self.folder / name).is_file()]
            if missing:
                raise SourceError(
                    f"system {self.system_id}: {', '.join(missing)} not delivered in {self.folder} (the system's"
                    " nightly export did not run)"
                )
            unmarked = [name for name in names if not self._complete(self.folder / name)]
            if unmarked:
                raise NotDeliveredYet(
                    f"system {self.system_id}: not delivered yet: {', '.join(unmarked)} without its {MARKER} marker"
                    " (the system is still writing it)"
                )
        found = []
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or NOT_DATA.search(path.name):
                continue
            if FILE_NAME.match(path.name) and not self._complete(path):
                continue  # another day's file still being written: read once its marker is there
            content = self._take(path)
            checksum = hashlib.sha256(content).hexdigest()
            if self.loaded.get(path.name) != checksum:
                found.append((path, content, checksum))
        return found

    def _take(self, path: Path) -> bytes:
        """The file's content, read once and only when it is whole: its size and modification time the same
        before and after the read (two looks), and its last line ended."""
        before = path.stat()
        content = path.read_bytes()
        after = path.stat()
        moved = (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
        if moved or len(content) != after.st_size:
            raise NotDeliveredYet(
                f"system {self.system_id}: not delivered yet: {path.name} changed while it was read (still being"
                " written)"
            )
        if FILE_NAME.match(path.name) and content and not content.endswith(b"\n"):
            raise NotDeliveredYet(
                f"system {self.system_id}: not delivered yet: {path.name} ends in the middle of a line (still"
                " being written, or cut)"
            )
        return content

    def records(self) -> Iterator[Record]:
        for path, content, checksum in self.pending():
            self.files.append((path.name, checksum))
            if not FILE_NAME.match(path.name):
                yield self._unexpected(path)
                continue
            yield from self._read(path, content)

    def _unexpected(self, path: Path) -> Record:
        """A file the contract does not name is never guessed at (a copy may be older or newer than the day's
        file): it is reported once, in quarantine, and left for someone to rename or remove."""
        prefix = path.name.split("_", 1)[0]
        return Record(
            ENTITY.get(prefix, "dossiers"),
            path.name,
            path.name,
            None,
            f"unexpected_file: {path.name} is not named hoso_YYYYMMDD.csv or phananh_YYYYMMDD.csv; not read"
            " (rename it to the day's file name to have it read)",
        )

    def _text(self, path: Path, content: bytes) -> str:
        """The content as text: UTF-8 (with or without its byte-order mark), invalid bytes in a row kept (as
        surrogates) so the row alone goes to quarantine; a file whose header is not UTF-8 is in another encoding."""
        text = content.decode("utf-8-sig", errors="surrogateescape")
        header = text.split("\n", 1)[0]
        try:
            header.encode("utf-8")
        except UnicodeEncodeError:
            hint = ""
            try:
                content.split(b"\n", 1)[0].decode("cp1258")
                hint = " (it reads as Windows-1258, CP1258)"
            except UnicodeDecodeError:
                pass
            raise SourceError(
                f"system {self.system_id}: file {path.name} is not UTF-8{hint}: the contract's export is UTF-8;"
                " re-export it as UTF-8"
            ) from None
        return text

    def _read(self, path: Path, content: bytes) -> Iterator[Record]:
        prefix, day = FILE_NAME.match(path.name).groups()
        entity = ENTITY[prefix]
        day_end = datetime.combine(datetime.strptime(day, "%Y%m%d").date(), time(23, 59, 59))
        self.bytes_read += len(content)
        reader = csv.reader(io.StringIO(self._text(path, content), newline=""))
        header = next(reader, None)
        if header is None:
            return
        missing = missing_columns("csv_drop", entity, header)
        if missing:
            line = ",".join(header)
            for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
                if delimiter in line and not missing_columns("csv_drop", entity, line.split(delimiter)):
                    raise SchemaError(
                        f"system {self.system_id}: file {path.name} is separated by {name}: the contract's export"
                        " is comma-separated"
                    )
            raise SchemaError(
                f"system {self.system_id}: file {path.name} has no column(s) {', '.join(missing)} "
                "(a renamed or dropped column)"
            )
        payload_json = _PayloadJson(header, {"_file": path.name, "_file_day_end": day_end.isoformat(sep=" ")})
        for row in reader:
            if not any(map(str.strip, row)):
                continue  # Excel's blank rows (a trailing empty line, a row of empty cells)
            position = f"{path.name} line {reader.line_num}"
            cells = list(map(quoted, row))
            raw = f"[{', '.join(cells)}]"  # json.dumps(row, ensure_ascii=False), each cell escaped once for both
            if len(row) != len(header):
                yield Record(
                    entity,
                    position,
                    raw,
                    None,
                    f"unparseable: {len(row)} fields where the header has {len(header)}",
                )
                continue
            payload = dict(zip(header, row, strict=True))
            payload.update(payload_json.added)
            yield Record(entity, position, raw, payload, payload_json=payload_json.text(payload, cells))


class _PayloadJson:
    """A row's payload as JSON, `json.dumps(payload, ensure_ascii=False)` to the byte, from the cells the row's own
    JSON already escaped: the header's keys and the file's fields are escaped once a file, not once a row."""

    def __init__(self, header: list[str], added: dict[str, str]):
        self.added = added
        # A header that names a column twice, or names a field the file adds, makes a payload with fewer keys than
        # cells: json.dumps writes that one.
        self.plain = bool(header) and len(set(header) | set(added)) == len(header) + len(added)
        self.keys = [f"{quoted(name)}: " for name in header]
        self.tail = "".join(f", {quoted(name)}: {quoted(value)}" for name, value in added.items()) + "}"

    def text(self, payload: dict, cells: list[str]) -> str:
        if not self.plain:
            return json.dumps(payload, ensure_ascii=False)
        # A row reaches here with as many cells as the header has keys (the reader set apart any other).
        return "{" + ", ".join(map(add, self.keys, cells)) + self.tail
