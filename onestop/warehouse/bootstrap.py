"""`onestop warehouse init`: apply `sql/` in order, create Airflow's database, give the roles their passwords.

Every file in `sql/` is idempotent, so init may run on every start; docker-compose applies the same files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
from psycopg import sql

from onestop.settings import AIRFLOW_DB_ROLE, LOGINS, PROJECT_ROOT
from onestop.warehouse import (
    airflow_db_url,
    database_name,
    partitions,
    role_url,
    warehouse_url,
    with_database,
)
from onestop.warehouse.credentials import pii_key, role_passwords

SQL_DIR = PROJECT_ROOT / "sql"


def sql_files() -> list[Path]:
    return sorted(SQL_DIR.glob("*.sql"))


def ensure_database(url: str, name: str) -> bool:
    """Create database `name` on the server of `url` if missing. True if it was created."""
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return True


class BootstrapConflict(RuntimeError):
    """What init would have replaced without being asked: the warehouse keeps it, the command fails saying so."""


def init(
    url: str | None = None,
    *,
    generate_secrets: bool = False,
    rotate_key: bool = False,
    reset_passwords: bool = False,
) -> list[str]:
    """Bootstrap the warehouse; return what was done, for the CLI to print. Never replaces the pseudonymisation
    key or a role's password it set before unless asked (`rotate_key`, `reset_passwords`): what it would have
    changed is raised as `BootstrapConflict` once everything else is applied."""
    url = url or warehouse_url()
    key, passwords = pii_key(generate_secrets), role_passwords(generate_secrets, LOGINS)
    done, conflicts = [], []
    if ensure_database(url, database_name(url)):
        done.append(f"created database {database_name(url)}")
    airflow_db = database_name(airflow_db_url(url))
    if ensure_database(url, airflow_db):
        done.append(f"created database {airflow_db}")
    with psycopg.connect(url) as conn:
        for path in sql_files():
            conn.execute(path.read_text())
            done.append(f"applied sql/{path.name}")
        stored = conn.execute("select fingerprint from audit.pseudonym_key").fetchone()
        fingerprint = hashlib.sha256(key.encode()).hexdigest()
        if stored is None or stored[0] == fingerprint or rotate_key:
            if conn.execute("select audit.set_pseudonym_key(%s)", (key,)).fetchone()[0]:
                done.append(
                    "replaced the pseudonymisation key: every pseudonym changes (rebuild with a full refresh)"
                    if stored
                    else "set the pseudonymisation key"
                )
        else:
            conflicts.append(
                "the warehouse's pseudonymisation key differs from the configured one (ONESTOP_PII_KEY or the"
                " state folder's): kept; `--rotate-key` replaces it, changing every pseudonym in staging and marts"
            )
        # Its one row, known to the planner: every staging view cross-joins it, and a table never analysed is
        # guessed at hundreds of rows, which multiplies every estimate above it (a year's deduplication ran
        # without parallel workers, 26 s instead of 17 s). Autovacuum never analyses a table this small.
        conn.execute("analyze audit.pseudonym_key")
        already = {name for (name,) in conn.execute("select role_name from audit.role_passwords_set")}
        for role, password in passwords.items():
            if can_log_in(role_url(role, password, url)):
                continue
            if role in already and not reset_passwords:
                conflicts.append(
                    f"{role} logs in with another password than {role.upper()}_PASSWORD: kept (a worker or BI tool"
                    " may use it); `--reset-passwords` sets the configured one"
                )
                continue
            conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(role), sql.Literal(password)))
            conn.execute(
                "insert into audit.role_passwords_set (role_name) values (%s)"
                " on conflict (role_name) do update set set_at = now()",
                (role,),
            )
            done.append(f"set the password of {role}")
        if not partitions.is_partitioned(conn):
            done.append(
                "NOTE: raw is not partitioned by month (a warehouse from before the partitioning); nights refuse to"
                " land until `onestop raw partition` moves it (once, in one transaction)"
            )
    done += hand_over_airflow_database(with_database(url, airflow_db))
    if conflicts:
        raise BootstrapConflict("\n".join([*done, *(f"NOT CHANGED: {c}" for c in conflicts)]))
    return done


def hand_over_airflow_database(url: str) -> list[str]:
    """Make `onestop_airflow` the owner of Airflow's database and of everything in it, so Airflow's components
    (and its migrations) log in as it and not as the server's owner; a database an older init created under the
    owner is handed over the same way. Ownership moves object by object: `reassign owned` cannot move what a
    bootstrap superuser owns."""
    done, airflow = [], sql.Identifier(AIRFLOW_DB_ROLE)
    with psycopg.connect(url, autocommit=True) as conn:
        owner = conn.execute(
            "select pg_get_userbyid(datdba) from pg_database where datname = current_database()"
        ).fetchone()[0]
        if owner != AIRFLOW_DB_ROLE:
            conn.execute(sql.SQL("alter database {} owner to {}").format(sql.Identifier(database_name(url)), airflow))
            done.append(f"{AIRFLOW_DB_ROLE} owns database {database_name(url)}")
        moved = 0
        # Tables first: a sequence owned by a column moves with its table (and cannot be moved alone).
        for kinds, statement in (
            (("r", "p"), "table"),
            (("v",), "view"),
            (("m",), "materialized view"),
            (("S",), "sequence"),
        ):
            rows = conn.execute(
                "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                " where n.nspname = 'public' and c.relkind = any(%s) and pg_get_userbyid(c.relowner) <> %s",
                (list(kinds), AIRFLOW_DB_ROLE),
            ).fetchall()
            for schema, name in rows:
                conn.execute(
                    sql.SQL("alter {} {}.{} owner to {}").format(
                        sql.SQL(statement), sql.Identifier(schema), sql.Identifier(name), airflow
                    )
                )
            moved += len(rows)
        for (name,) in conn.execute(
            "select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace"
            " where n.nspname = 'public' and t.typtype = 'e' and pg_get_userbyid(t.typowner) <> %s",
            (AIRFLOW_DB_ROLE,),
        ).fetchall():
            conn.execute(sql.SQL("alter type public.{} owner to {}").format(sql.Identifier(name), airflow))
            moved += 1
        if moved:
            done.append(f"{AIRFLOW_DB_ROLE} owns the {moved} objects of database {database_name(url)}")
    return done


def can_log_in(url: str) -> bool:
    # Checked first so that a second init changes nothing (a new SCRAM salt would rewrite pg_authid).
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError:
        return False
    return True
