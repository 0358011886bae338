"""The csv_drop connector on a temporary drop folder: Excel's exports read, a night's missing files, a renamed
column, a re-export read again and an unchanged one skipped, a row of the wrong width kept for quarantine."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from onestop.sources.base import SchemaError, SourceError
from onestop.sources.csv_drop import CsvDropSource, file_checksum
from onestop.vocabulary import CSV_HOSO_COLUMNS, CSV_PHANANH_COLUMNS

NIGHT = date(2025, 6, 1)


def write(folder: Path, name: str, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    """As Excel exports: UTF-8 with a byte-order mark, comma-separated, quoted where needed, CRLF."""

    def line(cells):
        return ",".join(f'"{c}"' if "," in c or '"' in c else c for c in cells)

    path = folder / name
    path.write_bytes(("\ufeff" + "\r\n".join([line(header), *map(line, rows)]) + "\r\n").encode("utf-8"))
    return path


def row(code: str, **changes: str) -> list[str]:
    values = dict.fromkeys(CSV_HOSO_COLUMNS, "")
    values.update({"Mã hồ sơ": code, "Ngày tiếp nhận": "01/06/2025 08:00", "Trạng thái": "Đang xử lý"}, **changes)
    return [values[c] for c in CSV_HOSO_COLUMNS]


def source(folder: Path, loaded: dict[str, str] | None = None, night: date | None = NIGHT) -> CsvDropSource:
    return CsvDropSource(SimpleNamespace(id="dongxuan", path=folder), loaded or {}, night=night)


def test_a_nights_files_are_read_with_vietnamese_headers(tmp_path: Path) -> None:
    write(
        tmp_path,
        "hoso_20250601.csv",
        CSV_HOSO_COLUMNS,
        [row("D1", **{"Tên thủ tục": "Cấp bản sao, chứng thực"}), row("D2")],
    )
    write(tmp_path, "phananh_20250601.csv", CSV_PHANANH_COLUMNS, [])
    src = source(tmp_path)
    records = list(src.records())
    assert [r.payload["Mã hồ sơ"] for r in records] == ["D1", "D2"]
    assert records[0].payload["Tên thủ tục"] == "Cấp bản sao, chứng thực"  # quoted comma kept in its cell
    assert records[0].position == "hoso_20250601.csv line 2"
    assert records[0].payload["_file_day_end"] == "2025-06-01 23:59:59"
    assert json.loads(records[0].payload_json)["Mã hồ sơ"] == "D1"
    assert [name for name, _ in src.files] == ["hoso_20250601.csv", "phananh_20250601.csv"]


def test_a_night_without_its_files_was_not_delivered(tmp_path: Path) -> None:
    write(tmp_path, "hoso_20250601.csv", CSV_HOSO_COLUMNS, [row("D1")])
    with pytest.raises(SourceError, match="phananh_20250601.csv not delivered"):
        list(source(tmp_path).records())
    with pytest.raises(SourceError, match="is not reachable"):
        list(source(tmp_path / "gone").records())


def test_a_renamed_column_fails_naming_file_and_column(tmp_path: Path) -> None:
    header = tuple("Tình trạng" if c == "Trạng thái" else c for c in CSV_HOSO_COLUMNS)
    write(tmp_path, "hoso_20250601.csv", header, [row("D1")])
    write(tmp_path, "phananh_20250601.csv", CSV_PHANANH_COLUMNS, [])
    with pytest.raises(SchemaError, match="file hoso_20250601.csv has no column.*Trạng thái"):
        list(source(tmp_path).records())


def test_files_already_loaded_are_skipped_and_corrections_read_again(tmp_path: Path) -> None:
    hoso = write(tmp_path, "hoso_20250601.csv", CSV_HOSO_COLUMNS, [row("D1")])
    feedback = write(tmp_path, "phananh_20250601.csv", CSV_PHANANH_COLUMNS, [])
    loaded = {hoso.name: file_checksum(hoso), feedback.name: file_checksum(feedback)}
    assert list(source(tmp_path, loaded).records()) == []
    write(tmp_path, "hoso_20250601.csv", CSV_HOSO_COLUMNS, [row("D1"), row("D2")])  # re-exported, corrected
    assert [r.payload["Mã hồ sơ"] for r in source(tmp_path, loaded).records()] == ["D1", "D2"]


def test_a_row_of_the_wrong_width_is_kept_unparsed(tmp_path: Path) -> None:
    write(tmp_path, "hoso_20250601.csv", CSV_HOSO_COLUMNS, [row("D1"), ["D2", "1.004873"]])
    write(tmp_path, "phananh_20250601.csv", CSV_PHANANH_COLUMNS, [])
    records = list(source(tmp_path).records())
    assert (
        records[1].payload is None
        and records[1].error == f"unparseable: 2 fields where the header has {len(CSV_HOSO_COLUMNS)}"
    )
    assert records[1].position == "hoso_20250601.csv line 3"
