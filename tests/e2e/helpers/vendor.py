"""A vendor's `onegate_db` database of one's own for a test: its tables in a schema of their own, one feedback
row, and the Airflow connection (JSON) that reaches it."""

from __future__ import annotations

import psycopg

from onestop.warehouse import with_database


def vendor_database(warehouse_url: str, database: str = "vendor_motcua", schema: str = "motcua") -> dict:
    """(Re)create the vendor's tables in `schema` of `database` on the warehouse's server; return the
    connection as Airflow reads it (its default schema holds nothing: `vendor_schema` must name `schema`)."""
    from onestop.warehouse.bootstrap import ensure_database
    from simulator.backends import ONEGATE_SCHEMA

    ensure_database(warehouse_url, database)
    vendor = with_database(warehouse_url, database)
    with psycopg.connect(vendor, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {schema} cascade")
        conn.execute(f"create schema {schema}")
        conn.execute(f"set search_path to {schema}")
        conn.execute(ONEGATE_SCHEMA)
        conn.execute(
            "insert into feedback (id, unit_code, category, title, sent_at, received_at, status, updated_at)"
            " values (1, '000.22.33.H45', 1, 'Tiêu đề', '2025-06-01 08:00', '2025-06-01 09:00', 'handling',"
            " '2025-06-01 09:00')"
        )
    parts = psycopg.conninfo.conninfo_to_dict(vendor)
    return {
        "conn_type": "postgres",
        "host": parts["host"],
        "port": int(parts["port"]),
        "login": parts["user"],
        "password": parts["password"],
        "schema": database,
    }
