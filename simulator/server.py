"""The `dvcqg_api` systems over HTTP: token auth, `cap_nhat_tu`/`cap_nhat_den` windows, pages, string scalars.

One threaded server per system, each on its own loopback port (a connection holds host and port, not a path).
Faults of the current night are read on every request, so a test can break a system between two runs.
"""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import psycopg
from psycopg import sql

from simulator.simulation import Simulation, corrupt_dvcqg

ENDPOINTS = {"/api/v1/hoso": "hoso", "/api/v1/pakn": "pakn"}
MAX_PAGE = 1000
# The real systems' quirk: success arrives as "0", 0 or "00".
SUCCESS_CODES = ("0", 0, "00")


class DvcqgServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, simulation: Simulation, system_id: str, port: int = 0):
        self.simulation_folder = simulation.folder
        self.db_url = simulation.db_url()
        self.system_id = system_id
        self.token = simulation.state.tokens[system_id]
        self.shifted: set[tuple] = set()
        self.totals: dict[tuple, int] = {}
        self.requests_served = 0
        super().__init__(("127.0.0.1", port), Handler)

    def night_state(self) -> tuple[Simulation, date | None, dict]:
        sim = Simulation(self.simulation_folder, server_url="postgresql://unused/")
        night = sim.current
        return sim, night, sim.plan.active(self.system_id, night) if night else {}


class Handler(BaseHTTPRequestHandler):
    server: DvcqgServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # keep test output quiet; no tokens in logs either
        pass

    def _send(self, status: int, body: dict | bytes, content_type: str = "application/json; charset=utf-8") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error_code": str(status), "message": message, "tong_so": "0", "result": []})

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.requests_served += 1
        url = urlsplit(self.path)
        table = ENDPOINTS.get(url.path)
        if table is None:
            return self._error(404, "Không tìm thấy")
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            return self._error(401, "Token không hợp lệ")
        sim, night, faults = self.server.night_state()
        if "down" in faults:
            mode = faults["down"].get("mode", "5xx")
            if mode == "refuse":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if mode == "timeout":
                time.sleep(float(faults["down"].get("seconds", 30)))
            return self._send(503, b"<html><body>503 Service Unavailable</body></html>", "text/html")
        if "slow" in faults:
            time.sleep(float(faults["slow"].get("seconds", 1)))
        if "blank_code" in faults:
            return self._send(200, {"error_code": "", "message": "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại"})
        try:
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            since = datetime.strptime(query["cap_nhat_tu"], "%Y%m%d%H%M%S")
            until = datetime.strptime(query["cap_nhat_den"], "%Y%m%d%H%M%S")
            page = int(query.get("trang", "1"))
            size = min(int(query.get("so_ban_ghi", "100")), MAX_PAGE)
            if page < 1 or size < 1:
                raise ValueError
        except (KeyError, ValueError):
            return self._error(400, "Tham số không hợp lệ")
        if "shifting" in faults and page == 2 and table == "hoso":
            self._shift(night, since, until)
        total, payloads = self._page(table, since, until, page, size, "duplicates" in faults)
        if "silent" in faults:
            total, payloads = 0, []
        corrupt = sim.state.dvcqg_corrupt.get(self.server.system_id, {}) if table == "hoso" else {}
        renamed = faults.get("renamed") if table == "hoso" else None
        if corrupt or renamed:
            payloads = [self._damage(p, corrupt, renamed) for p in payloads]
        envelope = json.dumps(
            {
                "error_code": SUCCESS_CODES[page % 3],
                "message": "Thành công",
                "tong_so": str(total),
                "trang": str(page),
                "so_trang": str(max(1, math.ceil(total / size))),
            },
            ensure_ascii=False,
        )
        body = envelope[:-1] + ', "result": [' + ", ".join(payloads) + "]}"
        self._send(200, body.encode("utf-8"))

    @staticmethod
    def _damage(payload: str, corrupt: dict[str, str], renamed: dict | None) -> str:
        record = json.loads(payload)
        reason = corrupt.get(record["MaHoSo"])
        if reason:
            record = corrupt_dvcqg(record, reason)
        if renamed and renamed["column"] in record:
            record[renamed["to"]] = record.pop(renamed["column"])
        return json.dumps(record, ensure_ascii=False)

    def _rows(self, table: str, duplicates: bool) -> sql.Composable:
        base = sql.SQL("select code, updated_at, payload from {}").format(sql.Identifier(self.server.system_id, table))
        if duplicates:  # the vendor's own query joins a child table twice for some rows, and counts them too
            base = sql.SQL("{} union all {} where abs(hashtext(code)) %% 20 = 0").format(base, base)
        return base

    def _page(
        self, table: str, since: datetime, until: datetime, page: int, size: int, duplicates: bool
    ) -> tuple[int, list[str]]:
        rows = self._rows(table, duplicates)
        with psycopg.connect(self.server.db_url) as conn:
            window = sql.SQL("select * from ({}) w where updated_at >= %s and updated_at < %s").format(rows)
            key = (table, since, until, duplicates)
            if page == 1 or key not in self.server.totals:  # counted once a window, as a real system caches it
                count = sql.SQL("select count(*) from ({}) c").format(window)
                self.server.totals[key] = conn.execute(count, (since, until)).fetchone()[0]
            total = self.server.totals[key]
            found = conn.execute(
                sql.SQL("{} order by updated_at, code limit %s offset %s").format(window),
                (since, until, size, (page - 1) * size),
            ).fetchall()
        return total, [row[2] for row in found]

    def _shift(self, night: date | None, since: datetime, until: datetime) -> None:
        """A record changes while pages are read: the first of the window moves to its end (once a window)."""
        key = (night, since, until)
        if key in self.server.shifted:
            return
        self.server.shifted.add(key)
        table = sql.Identifier(self.server.system_id, "hoso")
        with psycopg.connect(self.server.db_url) as conn:
            first = conn.execute(
                sql.SQL(
                    "select code, payload from {} where updated_at >= %s and updated_at < %s "
                    "order by updated_at, code limit 1"
                ).format(table),
                (since, until),
            ).fetchone()
            last = conn.execute(
                sql.SQL("select max(updated_at) from {} where updated_at < %s").format(table), (until,)
            ).fetchone()[0]
            if first is None or last is None:
                return
            moved = min(last + timedelta(seconds=1), until - timedelta(seconds=1))
            record = json.loads(first[1])
            record["NgayCapNhat"] = moved.strftime("%Y%m%d%H%M%S")
            conn.execute(
                sql.SQL("update {} set updated_at = %s, payload = %s where code = %s").format(table),
                (moved, json.dumps(record, ensure_ascii=False), first[0]),
            )


class Servers:
    """Every dvcqg_api system of the simulation, served from background threads."""

    def __init__(self, simulation: Simulation):
        self.simulation = simulation
        self.servers: dict[str, DvcqgServer] = {}
        self.threads: list[threading.Thread] = []

    def start(self) -> dict[str, int]:
        sim = self.simulation
        for system in sim.world.systems:
            if system.kind != "dvcqg_api":
                continue
            preferred = sim.state.ports.get(system.id, 0)
            try:
                server = DvcqgServer(sim, system.id, preferred)
            except OSError:
                server = DvcqgServer(sim, system.id, 0)
            self.servers[system.id] = server
            sim.state.ports[system.id] = server.server_address[1]
            thread = threading.Thread(target=server.serve_forever, name=f"dvcqg-{system.id}", daemon=True)
            thread.start()
            self.threads.append(thread)
        sim.save()
        return dict(sim.state.ports)

    def stop(self) -> None:
        for server in self.servers.values():
            server.shutdown()
            server.server_close()
        self.servers.clear()

    def __enter__(self) -> Servers:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
