"""The marts read back and compared: with the simulator's ground truth, with themselves (ordered checksums), and
their keys as PostgreSQL holds them."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

CODES = {"2.1": "2_1", "3.3": "3_3", "3.6": "3_6", "4.1": "4_1", "4.2": "4_2", "4.3": "4_3", "5.2": "5_2"}


def keys(url: str) -> dict[str, set[tuple]]:
    """Each marts table's primary key and foreign keys, as PostgreSQL holds them (what BI tools read)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select c.conrelid::regclass::text, c.contype, array(select a.attname::text from pg_attribute as a"
            " where a.attrelid = c.conrelid and a.attnum = any(c.conkey) order by a.attname),"
            " c.confrelid::regclass::text from pg_constraint as c where c.connamespace = 'marts'::regnamespace"
            " and c.contype in ('p', 'f')"
        ).fetchall()
        tables = [t for (t,) in conn.execute("select 'marts.' || tablename from pg_tables where schemaname = 'marts'")]
    found: dict[str, set[tuple]] = {table: set() for table in tables}
    for table, kind, columns, target in rows:
        found[table].add(("pk", tuple(columns)) if kind == "p" else ("fk", tuple(columns), target))
    return found


def checksums(url: str) -> dict[str, tuple[int, str]]:
    """Every marts table's (and view's) rows and an ordered checksum of their content, less when and by which run
    it was built."""
    with psycopg.connect(url) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "select c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace"
                " where n.nspname = 'marts' and c.relkind in ('r', 'v')"
            )
            # The gate's record of its own runs: what a check observed differs between the run after an incremental
            # build and the one after a full refresh (the identifier scan reads the rows the latest build wrote).
            if t != "quality_checks"
        ]
        return {
            table: conn.execute(
                f"select count(*), md5(coalesce(string_agg(r, '|' order by r), '')) from ("
                f"select (to_jsonb(t) - array['refreshed_at', 'changed_at', 'gate_run_id', 'checked_at'])::text as r"
                f" from marts.{table} as t) as rows"
            ).fetchone()
            for table in tables
        }


def marts(url: str, months: list[date]) -> dict:
    with psycopg.connect(url) as conn:
        conn.execute("set role onestop_bi")
        rows = conn.execute("select * from marts.fct_unit_month_scorecard where month_start = any(%s)", (months,))
        names = [c.name for c in rows.description]
        return {
            (r["view"], r["month_start"], r["unit_code"]): r
            for r in (dict(zip(names, row, strict=True)) for row in rows)
        }


def assert_equal_to_truth(oracle, found, view: str, months: list[date]) -> None:
    mismatches = []
    for month in months:
        expected = oracle[(month, view)]
        units = {unit for (v, m, unit) in found if v == view and m == month}
        assert units == set(expected.cards), (view, month)
        for unit, card in expected.cards.items():
            row = found[(view, month, unit)]
            for code, column in CODES.items():
                got = (row[f"n_{column}"], row[f"d_{column}"])
                want = (card.numerator[code], card.denominator[code])
                if got != want:
                    mismatches.append((view, month, unit, code, got, want))
            if float(row["subtotal"]) != pytest.approx(float(card.subtotal), abs=1e-9):
                taken_in = (row["feedback_taken_in"], expected.units[unit].feedback_taken_in)
                mismatches.append(
                    (view, month, unit, "subtotal", float(row["subtotal"]), float(card.subtotal), taken_in)
                )
            reported = {code: card.numerator[code] is not None for code in CODES}
            found_reported = {code: row[f"is_reported_{column}"] for code, column in CODES.items()}
            if found_reported != reported:
                mismatches.append((view, month, unit, "reported", found_reported, reported))
            if row["is_final"] != expected.is_final:
                mismatches.append((view, month, unit, "is_final", row["is_final"], expected.is_final))
            if row["max_points"] != card.maximum or row["rank_in_level"] != card.rank:
                mismatches.append(
                    (view, month, unit, "rank", (row["max_points"], row["rank_in_level"]), (card.maximum, card.rank))
                )
    assert not mismatches, "\n".join(map(str, mismatches[:20]))
