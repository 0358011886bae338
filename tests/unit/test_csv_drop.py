"""The csv_drop connector on a temporary drop folder: Excel's exports read, a night's missing files, a renamed
column, a re-export read again and an unchanged one skipped, a row of the wrong width kept for quarantine."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from onestop.sources.base import SchemaError, SourceError
from onestop.sources.csv_drop import CsvDropSource, NotDeliveredYet, file_checksum
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


def night_files(folder: Path, rows: list[list[str]]) -> Path:
    hoso = write(folder, "hoso_20250601.csv", CSV_HOSO_COLUMNS, rows)
    write(folder, "phananh_20250601.csv", CSV_PHANANH_COLUMNS, [])
    return hoso


def test_excels_blank_rows_are_skipped(tmp_path: Path) -> None:
    hoso = night_files(tmp_path, [row("D1")])
    with open(hoso, "ab") as handle:
        handle.write(b"\r\n" + b"," * (len(CSV_HOSO_COLUMNS) - 1) + b"\r\n")
    assert [r.payload["Mã hồ sơ"] for r in source(tmp_path).records()] == ["D1"]


def test_a_file_cut_in_the_middle_of_a_row_is_not_delivered_yet(tmp_path: Path) -> None:
    hoso = night_files(tmp_path, [row("D1"), row("D2")])
    whole = hoso.read_bytes()
    hoso.write_bytes(whole[: len(whole) - 40])  # the export is still writing the last row
    with pytest.raises(NotDeliveredYet, match="not delivered yet: hoso_20250601.csv ends in the middle of a line"):
        list(source(tmp_path).records())
    hoso.write_bytes(whole)
    assert [r.payload["Mã hồ sơ"] for r in source(tmp_path).records()] == ["D1", "D2"]


def test_a_system_writing_done_markers_is_read_only_once_they_are_there(tmp_path: Path) -> None:
    night_files(tmp_path, [row("D1")])
    marked = CsvDropSource(SimpleNamespace(id="dongxuan", path=tmp_path, done_marker=True), {}, night=NIGHT)
    with pytest.raises(NotDeliveredYet, match="hoso_20250601.csv, phananh_20250601.csv without its .done marker"):
        list(marked.records())
    for name in ("hoso_20250601.csv.done", "phananh_20250601.csv.done"):
        (tmp_path / name).write_bytes(b"")
    assert [r.payload["Mã hồ sơ"] for r in marked.records()] == ["D1"]


def test_another_encoding_or_delimiter_is_named(tmp_path: Path) -> None:
    header = ",".join(CSV_HOSO_COLUMNS) + "\r\n"
    (tmp_path / "phananh_20250601.csv").write_bytes(("\ufeff" + ",".join(CSV_PHANANH_COLUMNS) + "\r\n").encode())
    # Windows-1258 writes Vietnamese as a base letter and a combining tone mark.
    (tmp_path / "hoso_20250601.csv").write_bytes(unicodedata.normalize("NFD", header).encode("cp1258", "replace"))
    with pytest.raises(SourceError, match=r"hoso_20250601.csv is not UTF-8 \(it reads as Windows-1258, CP1258\)"):
        list(source(tmp_path).records())
    (tmp_path / "hoso_20250601.csv").write_bytes(("\ufeff" + header.replace(",", ";")).encode())
    with pytest.raises(SchemaError, match="hoso_20250601.csv is separated by semicolons"):
        list(source(tmp_path).records())


def test_a_file_named_otherwise_is_reported_once_and_not_read(tmp_path: Path) -> None:
    night_files(tmp_path, [row("D1")])
    copy = write(tmp_path, "hoso_20250601 (1).csv", CSV_HOSO_COLUMNS, [row("D1", **{"Trạng thái": "Rút hồ sơ"})])
    (tmp_path / "~$hoso_20250601.csv").write_bytes(b"excel lock")  # Excel's lock file: not the system's
    src = source(tmp_path)
    records = list(src.records())
    reported = [r for r in records if r.error]
    assert [(r.position, r.error.split(":")[0]) for r in reported] == [("hoso_20250601 (1).csv", "unexpected_file")]
    assert [r.payload["Trạng thái"] for r in records if r.payload] == ["Đang xử lý"]  # the copy is not read
    loaded = dict(src.files)
    assert loaded[copy.name] == file_checksum(copy)
    assert [r.position for r in source(tmp_path, loaded).records()] == []  # reported once


def test_a_rows_json_is_what_json_dumps_writes_whatever_its_cells_hold(tmp_path: Path) -> None:
    """The row's JSON and its payload's are written from cells escaped once; they must be json.dumps' to the byte:
    quotes, backslashes, line ends and control characters in a cell, invalid UTF-8 (kept as surrogates), and a
    header naming a column twice or naming a field the file adds (a payload with fewer keys than cells)."""
    hostile = ['say "hi"', "back\\slash", "two\nlines", "tab\tand\x01", "QQQ 🙂 Đơn", "", " "]
    cells = [*hostile, *[""] * (len(CSV_HOSO_COLUMNS) - len(hostile))]

    def csv_file(name: str, header: list[str], values: list[str]) -> None:
        lines = [",".join('"' + v.replace('"', '""') + '"' for v in cells) for cells in (header, values)]
        text = "\ufeff" + "\r\n".join(lines) + "\r\n"
        (tmp_path / name).write_bytes(text.encode("utf-8").replace(b"QQQ", b"\xc4\xff"))

    csv_file("hoso_20250601.csv", list(CSV_HOSO_COLUMNS), cells)
    header = [*CSV_PHANANH_COLUMNS, CSV_PHANANH_COLUMNS[0], "_file"]
    csv_file("phananh_20250601.csv", header, [f"v{i}" for i in range(len(header))])
    dossier, feedback = source(tmp_path).records()
    assert dossier.raw == json.dumps([c.replace("QQQ", "\udcc4\udcff") for c in cells], ensure_ascii=False)
    assert dossier.payload_json == json.dumps(dossier.payload, ensure_ascii=False)
    assert feedback.payload_json == json.dumps(feedback.payload, ensure_ascii=False)
    assert len(feedback.payload) == len(header)  # two cells fewer, the two fields the file adds more
    assert feedback.payload[CSV_PHANANH_COLUMNS[0]] == f"v{len(header) - 2}"
    assert feedback.payload["_file"] == "phananh_20250601.csv"  # the file's own field wins
