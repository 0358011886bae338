"""The demo province as a running thing: generate it, advance it night by night, serve it, break it.

State lives in one folder (default `.onestop/demo/`): `province.json` (seed, preset, the night the world stands
at, credentials of the simulated systems), the registry and reference tables, the csv drop folders, the fault
plan and the fault ledger. The systems' databases live on the warehouse's server, in databases of their own.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
import yaml
from psycopg import sql

from onestop import warehouse
from onestop.settings import state_dir
from onestop.warehouse.bootstrap import ensure_database
from simulator import formats
from simulator.backends import CsvFolder, DvcqgBackend, OnegateBackend, dossier_days, end_of, feedback_days
from simulator.catalogue import PROCEDURES
from simulator.faults import MALFORMATIONS, FaultPlan, Ledger, pick_malformation
from simulator.model import LIFETIME, daterange
from simulator.province import NEW_PROVINCE
from simulator.world import World


@dataclass
class SimState:
    seed: int
    preset: str
    start: str
    current: str | None = None
    tokens: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    csv_pending: dict[str, list[str]] = field(default_factory=dict)
    onegate_dirty: dict[str, list[str]] = field(default_factory=dict)
    dvcqg_corrupt: dict[str, dict[str, str]] = field(default_factory=dict)
    renamed: dict[str, list[str]] = field(default_factory=dict)
    name: str = "sim"


def default_dir() -> Path:
    return state_dir() / "demo"


class Simulation:
    def __init__(self, folder: Path | None = None, server_url: str | None = None, name: str = "sim"):
        self.folder = Path(folder or default_dir())
        self.name = name  # prefix of the systems' databases, so that two provinces can share a server
        self.state_file = self.folder / "province.json"
        self._server_url = server_url
        self.plan = FaultPlan(self.folder / "faults.json")
        self.ledger = Ledger(self.folder / "fault_ledger.jsonl")
        self.state = SimState(**json.loads(self.state_file.read_text())) if self.state_file.exists() else None
        if self.state:
            self.name = self.state.name

    # -- where things are -----------------------------------------------------------------------------------
    @property
    def server_url(self) -> str:
        return self._server_url or warehouse.warehouse_url()

    def db_url(self, system_id: str | None = None) -> str:
        base = warehouse.database_name(self.server_url)
        name = f"{base}_{self.name}_{system_id}" if system_id else f"{base}_{self.name}"
        return warehouse.with_database(self.server_url, name)

    @property
    def world(self) -> World:
        return World(self.state.seed, self.state.preset)

    @property
    def current(self) -> date | None:
        return date.fromisoformat(self.state.current) if self.state and self.state.current else None

    @property
    def registry_path(self) -> Path:
        return self.folder / "registry.yml"

    def drop_folder(self, system_id: str) -> Path:
        return self.folder / "drops" / system_id

    def save(self) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self.state), indent=1))
        tmp.chmod(0o600)
        tmp.replace(self.state_file)  # the HTTP servers read it while the world advances

    # -- generate -------------------------------------------------------------------------------------------
    def generate(self, start: date, end: date, seed: int = 1660, preset: str = "demo") -> None:
        """Create the province from nothing and run its world from `start` up to the end of `end`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.state = SimState(seed=seed, preset=preset, start=start.isoformat(), name=self.name)
        self.plan.clear()
        self.ledger.path.unlink(missing_ok=True)
        world = self.world
        for system in world.systems:
            self.state.tokens[system.id] = secrets.token_urlsafe(24)
            self.state.passwords[system.id] = secrets.token_urlsafe(18)
        self._write_reference(world)
        ensure_database(self.server_url, warehouse.database_name(self.db_url()))
        for system in world.systems:
            if system.kind == "dvcqg_api":
                DvcqgBackend(self.db_url(), system.id).reset()
            elif system.kind == "onegate_db":
                ensure_database(self.server_url, warehouse.database_name(self.db_url(system.id)))
                OnegateBackend(self.db_url(system.id), system.id).reset()
                self._reader_role(system.id)
            else:
                CsvFolder(self.drop_folder(system.id)).reset()
        self.save()
        self.advance(end)

    def _write_reference(self, world: World) -> None:
        with open(self.folder / "units.csv", "w", encoding="utf-8", newline="") as handle:
            handle.write("unit_code,unit_name,level,valid_from,valid_to,successor_code\n")
            for u in world.units:
                handle.write(
                    f"{u.code},{u.name},{u.level},{u.valid_from},{u.valid_to or ''},{u.successor_code or ''}\n"
                )
        with open(self.folder / "procedures.csv", "w", encoding="utf-8", newline="") as handle:
            handle.write(
                "procedure_code,procedure_name,field_code,statutory_days,cutoff,has_fee,issues_result,online_level\n"
            )
            for p in PROCEDURES:
                cutoff = p.cutoff.strftime("%H:%M") if p.cutoff else ""
                handle.write(
                    f'{p.code},"{p.name}",{p.field_code},{p.statutory_days},{cutoff},'
                    f"{str(p.has_fee).lower()},{str(p.issues_result).lower()},{p.online_level}\n"
                )
        systems = []
        for system in world.systems:
            entry = {"id": system.id, "kind": system.kind}
            if system.kind == "csv_drop":
                entry["path"] = f"drops/{system.id}"
            else:
                entry["conn_id"] = system.conn_id
            entry["units"] = [u.code for u in world.units_of(system.id)]
            entry["enabled"] = True
            systems.append(entry)
        document = {
            "province": {"code": NEW_PROVINCE[0], "name": NEW_PROVINCE[1]},
            "units": "units.csv",
            "procedures": "procedures.csv",
            "systems": systems,
        }
        header = "# The demo province: Phú Yên's nine district systems (the Phú Yên part of Đắk Lắk since 1/7/2025).\n"
        self.registry_path.write_text(
            header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )

    def reader_role(self, system_id: str) -> str:
        # Roles are server-wide: two provinces on one server (tests, benchmarks) must not share a login.
        return f"{self.name}_{system_id}_reader"

    def _reader_role(self, system_id: str, login: bool = True) -> None:
        role = self.reader_role(system_id)
        with psycopg.connect(self.db_url(system_id), autocommit=True) as conn:
            exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
            verb = "alter" if exists else "create"
            conn.execute(
                sql.SQL(verb + " role {} " + ("login" if login else "nologin") + " password {}").format(
                    sql.Identifier(role), sql.Literal(self.state.passwords[system_id])
                )
            )
            conn.execute(sql.SQL("grant select on all tables in schema public to {}").format(sql.Identifier(role)))
            conn.execute(
                sql.SQL("alter default privileges in schema public grant select on tables to {}").format(
                    sql.Identifier(role)
                )
            )
            if not login:
                conn.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = %s", (role,))

    # -- advance --------------------------------------------------------------------------------------------
    def advance(self, to_day: date) -> dict[str, int]:
        """Move the world to the end of `to_day` (one or more nights); return changed dossiers per system."""
        world, previous = self.world, self.current
        start = date.fromisoformat(self.state.start)
        first_new = start if previous is None else previous + timedelta(days=1)
        if first_new > to_day:
            return {}
        changed = {}
        for system in world.systems:
            faults = self.plan.active(system.id, to_day)
            if system.kind == "csv_drop":
                changed[system.id] = self._advance_csv(world, system.id, start, first_new, to_day, faults)
            else:
                changed[system.id] = self._advance_db(world, system, start, first_new, to_day, faults)
        self.state.current = to_day.isoformat()
        self.save()
        return changed

    def _window(self, world: World, system_id: str, start: date, first_day: date, last_day: date):
        first_received = max(start, first_day - LIFETIME)
        return (
            world.dossiers(system_id, first_received, last_day),
            world.feedback(system_id, first_received, last_day),
        )

    def _advance_db(self, world: World, system, start: date, first_new: date, to_day: date, faults: dict) -> int:
        moment = end_of(to_day)
        dirty = set(self.state.onegate_dirty.get(system.id, []))
        dossier_iter, feedback_iter = self._window(world, system.id, start, first_new, to_day)
        malformed = faults.get("malformed")
        reasons = malformed.get("reasons") if malformed else None
        if malformed and system.kind == "onegate_db":  # a timestamp column cannot hold an impossible date
            reasons = [r for r in (reasons or MALFORMATIONS) if r != "impossible_date"]
        rng = random.Random(f"{self.state.seed}:malformed:{system.id}:{to_day}")
        corrupt_plan: dict[str, str] = {}
        if system.kind == "dvcqg_api":
            backend = DvcqgBackend(self.db_url(), system.id)
        else:
            backend = OnegateBackend(self.db_url(system.id), system.id)
            self._apply_rename(system.id, faults.get("renamed"))

        def corrupt(state, row):
            return corrupt_onegate(row, corrupt_plan.get(state.d.code))

        changed = 0
        # Written a chunk at a time, so a province-year is generated with bounded memory.
        for chunk in _chunks(
            d for d in dossier_iter if d.received <= moment and (dossier_days(d, first_new, to_day) or d.code in dirty)
        ):
            states = [formats.DossierState(d, moment) for d in chunk]
            for state in states:
                if malformed and state.updated.date() == to_day:
                    reason = pick_malformation(rng, malformed.get("rate", 0.05), reasons)
                    if reason:
                        corrupt_plan[state.d.code] = reason
                        self.ledger.record(system.id, to_day, state.d.code, reason, "dossier")
            if system.kind == "dvcqg_api":
                backend.write(states, [])
            else:
                backend.write(states, [], corrupt=corrupt)
            changed += len(states)
        for chunk in _chunks(f for f in feedback_iter if f.sent <= moment and feedback_days(f, first_new, to_day)):
            backend.write([], [(f, f.state_at(moment)) for f in chunk])
        if system.kind == "dvcqg_api":
            self.state.dvcqg_corrupt[system.id] = corrupt_plan
        else:
            self.state.onegate_dirty[system.id] = sorted(corrupt_plan)
            self._reader_role(system.id, login="down" not in faults)
        return changed

    def _apply_rename(self, system_id: str, rename: dict | None) -> None:
        current = self.state.renamed.get(system_id)
        wanted = [rename["column"], rename["to"]] if rename else None
        if current == wanted:
            return
        with psycopg.connect(self.db_url(system_id), autocommit=True) as conn:
            if current:
                conn.execute(
                    sql.SQL("alter table dossier rename column {} to {}").format(
                        sql.Identifier(current[1]), sql.Identifier(current[0])
                    )
                )
            if wanted:
                conn.execute(
                    sql.SQL("alter table dossier rename column {} to {}").format(
                        sql.Identifier(wanted[0]), sql.Identifier(wanted[1])
                    )
                )
        if wanted:
            self.state.renamed[system_id] = wanted
        else:
            self.state.renamed.pop(system_id, None)

    def _advance_csv(
        self, world: World, system_id: str, start: date, first_new: date, to_day: date, faults: dict
    ) -> int:
        pending = {date.fromisoformat(d) for d in self.state.csv_pending.get(system_id, [])}
        pending.update(daterange(first_new, to_day))
        if "down" in faults:
            self.state.csv_pending[system_id] = sorted(d.isoformat() for d in pending)
            return 0
        first = min(pending)
        rows: dict[date, tuple[list, list]] = {}
        rng = random.Random(f"{self.state.seed}:csv:{system_id}:{to_day}")
        malformed = faults.get("malformed")
        folder = CsvFolder(self.drop_folder(system_id))
        still_pending: set[date] = set()
        written = 0
        # Day by day of receipt: a day's file is complete once receipts have passed it (nothing received later
        # changed on that day), so it is written then and memory stays bounded.
        for received_day in daterange(max(start, first - LIFETIME), to_day):
            for d in world.dossiers(system_id, received_day, received_day):
                for day in dossier_days(d, first, to_day):
                    if day in pending:
                        row = formats.csv_hoso_row(formats.DossierState(d, end_of(day)))
                        if day == to_day and malformed:
                            reason = pick_malformation(rng, malformed.get("rate", 0.05), malformed.get("reasons"))
                            if reason:
                                self.ledger.record(system_id, to_day, d.code, reason, f"hoso_{day:%Y%m%d}.csv")
                                row = corrupt_csv(row, reason)
                        rows.setdefault(day, ([], []))[0].append(row)
            for f in world.feedback(system_id, received_day, received_day):
                for day in feedback_days(f, first, to_day):
                    if day in pending:
                        rows.setdefault(day, ([], []))[1].append(formats.csv_phananh_row(f, f.state_at(end_of(day))))
            for day in sorted(d for d in pending if d <= received_day):
                hoso, phananh = rows.pop(day, ([], []))
                written += len(hoso)
                if self._write_csv_day(folder, day, to_day, hoso, phananh, faults):
                    still_pending.add(day)
                pending.discard(day)
        self.state.csv_pending[system_id] = sorted(d.isoformat() for d in still_pending)
        return written

    @staticmethod
    def _write_csv_day(folder: CsvFolder, day: date, to_day: date, hoso: list, phananh: list, faults: dict) -> bool:
        """Write one day's files, damaged as tonight's faults say; True if the file must be exported again."""
        renames = None
        if day == to_day:
            if "duplicates" in faults and hoso:
                hoso = hoso + hoso[: max(1, len(hoso) // 20)]
            if "reexport" in faults and len(hoso) > 1:
                hoso = hoso[: len(hoso) - max(1, len(hoso) // 10)]  # an incomplete first export
            if "renamed" in faults:
                renames = {faults["renamed"]["column"]: faults["renamed"]["to"]}
        folder.write_day(day, hoso, phananh, renames)
        return day == to_day and bool({"reexport", "malformed", "renamed"} & set(faults))

    # -- connections ----------------------------------------------------------------------------------------
    def connections(self) -> dict[str, str]:
        """`AIRFLOW_CONN_*` values for the simulated systems (the demo's "secrets backend")."""
        from urllib.parse import urlsplit

        server = urlsplit(self.server_url)
        env = {}
        for system in self.world.systems:
            name = f"AIRFLOW_CONN_{system.conn_id.upper()}"
            if system.kind == "dvcqg_api" and system.id in self.state.ports:
                env[name] = json.dumps(
                    {
                        "conn_type": "http",
                        "host": "127.0.0.1",
                        "port": self.state.ports[system.id],
                        "schema": "http",
                        "password": self.state.tokens[system.id],
                    }
                )
            elif system.kind == "onegate_db":
                env[name] = json.dumps(
                    {
                        "conn_type": "postgres",
                        "host": server.hostname,
                        "port": server.port or 5432,
                        "login": self.reader_role(system.id),
                        "password": self.state.passwords[system.id],
                        "schema": warehouse.database_name(self.db_url(system.id)),
                    }
                )
        return env


def _chunks(items, size: int = 5000):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def corrupt_onegate(row: tuple, reason: str | None) -> tuple:
    if reason is None:
        return row
    row = list(row)
    if reason == "unknown_status":
        row[16] = "archived"
    elif reason == "missing_code":
        row[1] = None
    elif reason == "finish_before_receipt":
        row[14] = row[12] - timedelta(days=1, hours=2)
    return tuple(row)


def corrupt_csv(row: list[str], reason: str) -> list[str]:
    row = list(row)
    if reason == "impossible_date":
        row[10] = "31/02/" + row[10][6:]
    elif reason == "unknown_status":
        row[14] = "Đang thẩm định lại"
    elif reason == "missing_code":
        row[0] = ""
    elif reason == "finish_before_receipt":
        received = datetime.strptime(row[10], "%d/%m/%Y %H:%M")
        row[12] = formats.csv_time(received - timedelta(days=1, hours=2))
    return row


def corrupt_dvcqg(payload: dict, reason: str) -> dict:
    payload = dict(payload)
    if reason == "impossible_date":
        payload["NgayTiepNhan"] = payload["NgayTiepNhan"][:4] + "0231" + payload["NgayTiepNhan"][8:]
    elif reason == "unknown_status":
        payload["TrangThaiHoSo"] = "99"
    elif reason == "missing_code":
        payload["MaHoSo"] = ""
    elif reason == "finish_before_receipt":
        received = datetime.strptime(payload["NgayTiepNhan"], "%Y%m%d%H%M%S")
        payload["NgayKetThucXuLy"] = formats.api_time(received - timedelta(days=1, hours=2))
    return payload
