"""The landing's own COPY formatting (onestop/extract/raw_writer.py): what PostgreSQL's text format would misread
is escaped, the rest passes unchanged; and how it reads a plan for the contested codes."""

from __future__ import annotations

from onestop.extract.raw_writer import copy_text, filtered_sides


def test_what_ends_a_field_or_a_row_is_escaped() -> None:
    # A backslash first, or the escapes written for the others would be doubled again.
    assert copy_text('{"ghi chú": "dòng 1\\ndòng 2\tcột\r\\\\"}') == '{"ghi chú": "dòng 1\\\\ndòng 2\\tcột\\r\\\\\\\\"}'
    assert copy_text("a\nb") == "a\\nb" and copy_text("a\\b") == "a\\\\b"


def test_plain_text_is_left_as_it_is() -> None:
    text = '{"Mã hồ sơ": "000.19.60.H15-250915-0004", "Trạng thái": "Đang xử lý"}'
    assert copy_text(text) is text


def scan(index_cond: str, filter_: str | None = None) -> dict:
    node = {"Node Type": "Index Scan", "Index Cond": index_cond}
    return node | ({"Filter": filter_} if filter_ else {})


def test_the_sides_a_plan_filters_by_the_array_are_found_under_its_other_nodes() -> None:
    # The shapes EXPLAIN (FORMAT JSON) gave for CONTESTED on the year: the key index finds the codes (an index
    # condition, not a filter), the batch index's range filtered by them, or a scan with both as its filter.
    found = scan("((record_key = ANY ((InitPlan 2).col1)) AND (system_id < 'tuyan'::text))")
    below = scan("(system_id < 'tuyan'::text)", "(record_key = ANY ((InitPlan 2).col1))")
    above = scan("(system_id > 'tuyan'::text)", "(record_key = ANY ((InitPlan 3).col1))")
    sequential = {"Node Type": "Seq Scan", "Filter": "((system_id > 'tuyan'::text) AND (record_key = ANY ($1)))"}
    incoming = {"Node Type": "Seq Scan", "Filter": "(entity = 'dossiers'::text)"}

    def plan(*scans: dict) -> dict:
        return {"Node Type": "Unique", "Plans": [{"Node Type": "Merge Append", "Plans": [incoming, *scans]}]}

    assert filtered_sides(plan(found, found)) == set()
    assert filtered_sides(plan(found, below)) == {"<"}
    assert filtered_sides(plan(above, found, sequential)) == {">"}
    # A filter by the array that names no range of systems: both are counted.
    assert filtered_sides(plan({"Node Type": "Seq Scan", "Filter": "(record_key = ANY ($1))"})) == {"<", ">"}
