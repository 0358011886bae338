"""The landing's own COPY formatting (onestop/extract/raw_writer.py): what PostgreSQL's text format would misread
is escaped, the rest passes unchanged."""

from __future__ import annotations

from onestop.extract.raw_writer import copy_text


def test_what_ends_a_field_or_a_row_is_escaped() -> None:
    # A backslash first, or the escapes written for the others would be doubled again.
    assert copy_text('{"ghi chú": "dòng 1\\ndòng 2\tcột\r\\\\"}') == '{"ghi chú": "dòng 1\\\\ndòng 2\\tcột\\r\\\\\\\\"}'
    assert copy_text("a\nb") == "a\\nb" and copy_text("a\\b") == "a\\\\b"


def test_plain_text_is_left_as_it_is() -> None:
    text = '{"Mã hồ sơ": "000.19.60.H15-250915-0004", "Trạng thái": "Đang xử lý"}'
    assert copy_text(text) is text
