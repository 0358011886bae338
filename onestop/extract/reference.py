"""The registry's reference tables (units.csv, procedures.csv) into `raw.ref_*`, replaced in one transaction."""

from __future__ import annotations

import psycopg

from onestop import registry
from onestop.warehouse.credentials import login_url


def _none(value: str):
    return value if value not in ("", None) else None


def load_reference(path=None) -> dict[str, int]:
    reg = registry.load(path)
    units = [
        (u["unit_code"], u["unit_name"], u["level"], u["valid_from"], _none(u["valid_to"]), _none(u["successor_code"]))
        for u in reg.units()
    ]
    procedures = [
        (
            p["procedure_code"],
            p["procedure_name"],
            _none(p["field_code"]),
            int(p["statutory_days"]),
            _none(p["cutoff"]),
            p["has_fee"] == "true",
            p["issues_result"] == "true",
            int(p["online_level"]) if p["online_level"] else None,
        )
        for p in reg.procedures()
    ]
    with psycopg.connect(login_url("onestop_loader")) as conn:
        conn.execute("delete from raw.ref_units")
        conn.execute("delete from raw.ref_procedures")
        with conn.cursor() as cursor:
            cursor.executemany(
                "insert into raw.ref_units (unit_code, unit_name, level, valid_from, valid_to,"
                " successor_code) values (%s, %s, %s, %s, %s, %s)",
                units,
            )
            cursor.executemany(
                "insert into raw.ref_procedures (procedure_code, procedure_name, field_code,"
                " statutory_days, cutoff, has_fee, issues_result, online_level)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s)",
                procedures,
            )
    return {"units": len(units), "procedures": len(procedures)}
