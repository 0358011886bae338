"""`csv_drop`: the nightly files a system exports into its folder (UTF-8 with BOM, CRLF, Vietnamese headers).

Every file not yet loaded with the same content is read: a day's file written again with corrections (a new
checksum) is read again and its rows win downstream, since they were landed later; a file already loaded with
the same checksum is skipped, so nothing is counted twice. A file whose header lost a contract column fails
the system with the file and column named. The system writes both files every day, empty or not: a night
whose files are missing was not delivered (the system or its export is down), and fails until they come.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from onestop.sources.base import Record, SchemaError, SourceError
from onestop.sources.contract import missing_columns

FILE_NAME = re.compile(r"^(hoso|phananh)_(\d{8})\.csv$")
ENTITY = {"hoso": "dossiers", "phananh": "feedback"}


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
        self.loaded = loaded_files  # file name -> checksum already landed
        self.files: list[tuple[str, str]] = []  # (name, checksum) read this run
        self.control_totals: dict[str, int] = {}
        self.bytes_read = 0

    def describe(self) -> str:
        return f"{self.system_id} ({self.folder})"

    def pending(self) -> list[tuple[Path, str]]:
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
        found = []
        for path in sorted(self.folder.iterdir()):
            if FILE_NAME.match(path.name):
                checksum = file_checksum(path)
                if self.loaded.get(path.name) != checksum:
                    found.append((path, checksum))
        return found

    def records(self) -> Iterator[Record]:
        for path, checksum in self.pending():
            self.files.append((path.name, checksum))
            yield from self._read(path)

    def _read(self, path: Path) -> Iterator[Record]:
        prefix, day = FILE_NAME.match(path.name).groups()
        entity = ENTITY[prefix]
        day_end = datetime.combine(datetime.strptime(day, "%Y%m%d").date(), time(23, 59, 59))
        self.bytes_read += path.stat().st_size
        # Invalid UTF-8 is kept (as surrogates) so the row can be quarantined rather than the file lost.
        with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return
            missing = missing_columns("csv_drop", entity, header)
            if missing:
                raise SchemaError(
                    f"system {self.system_id}: file {path.name} has no column(s) {', '.join(missing)} "
                    "(a renamed or dropped column)"
                )
            for row in reader:
                position = f"{path.name} line {reader.line_num}"
                raw = json.dumps(row, ensure_ascii=False)
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
                payload["_file"] = path.name
                payload["_file_day_end"] = day_end.isoformat(sep=" ")
                yield Record(entity, position, raw, payload, payload_json=json.dumps(payload, ensure_ascii=False))
