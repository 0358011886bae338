"""Apache Superset on the warehouse's marts, as the BI role (`make bi`, `onestop bi`).

Superset lives in an environment of its own (bi/superset/.venv, from bi/superset/uv.lock: its pins fight Airflow's);
this module only runs its CLI and its web server as processes. Its state (a SQLite metadata database, the secret key,
the admin's login) is kept under the state folder, `superset/`.

The dashboard is provisioned from files in the repository: bi/superset/assets/ holds the charts and the dashboard
in Superset's own export format (so a chart changed in the UI can be exported and committed back) and the list of
datasets; the database entry (the BI role's URL, with its password) and each dataset's columns (names, types and the
Vietnamese descriptions dbt wrote into the catalog) are generated here, at provisioning, from the live warehouse.
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import zipfile
from pathlib import Path

import psycopg
import yaml

from onestop.local.processes import stop_groups, wait_healthy
from onestop.settings import PROJECT_ROOT, state_dir
from onestop.warehouse.credentials import login_url

SUPERSET_DIR = PROJECT_ROOT / "bi" / "superset"
ASSETS = SUPERSET_DIR / "assets"
DASHBOARD_SLUG = "chi-so-phuc-vu"
DATABASE_NAME = "onestop (marts)"
DATABASE_UUID = "5f0c3a52-6a0e-4d0b-9a51-7c1e0b8f0001"
ADMIN = "admin"
# Postgres types Superset treats as time columns (the x axis of a trend).
TEMPORAL = ("date", "timestamp without time zone", "timestamp with time zone")


def superset_bin(tool: str = "superset") -> Path:
    path = SUPERSET_DIR / ".venv" / "bin" / tool
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: Superset's environment is installed by `make bi` (bi/superset/uv.lock)"
        )
    return path


class Superset:
    """Superset's metadata, the provisioned dashboard and its web server, for one warehouse."""

    def __init__(self, warehouse_url: str | None = None, port: int = 8088, state: Path | None = None):
        self.bi_url = login_url("onestop_bi") if warehouse_url is None else warehouse_url
        self.port = port
        self.state = state or state_dir() / "superset"
        self.server: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dashboard_url(self) -> str:
        return f"{self.base_url}/superset/dashboard/{DASHBOARD_SLUG}/"

    def _state(self) -> Path:
        """The state folder, its owner's alone: Superset's database holds the BI role's password (encrypted with
        the secret key beside it)."""
        self.state.mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o700)
        return self.state

    def _secret(self, name: str) -> str:
        """A value generated once and kept in the state folder, readable by its owner only."""
        path = self._state() / name
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text().strip()

    def admin_password(self) -> str:
        return self._secret("admin_password")

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(SUPERSET_DIR / "superset_config.py"),
            "SUPERSET_HOME": str(self.state),
            "SUPERSET_SECRET_KEY": self._secret("secret_key"),
            "FLASK_APP": "superset.app:create_app()",
            "PYTHONWARNINGS": "ignore",
        }

    def _cli(self, *args: str, tool: str = "superset", answer: str | None = None) -> None:
        with open(self._state() / "superset.log", "ab") as log:
            result = subprocess.run(
                [superset_bin(tool), *args],
                env=self.env(),
                input=answer.encode() if answer else None,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if result.returncode != 0:
            raise RuntimeError(f"superset {args[0]} failed ({result.returncode}); see {self.state / 'superset.log'}")

    def provision(self) -> None:
        """Superset's metadata database, its admin, and the dashboard imported from the repository's files (again
        on every call: the import overwrites by UUID, so a changed chart file or a new mart column arrives)."""
        self._cli("db", "upgrade")
        if not (self.state / "admin_created").exists():
            password = self.admin_password()  # on its prompt, never on a command line other users can list
            self._cli(
                "fab", "create-admin", "--username", ADMIN, "--firstname", "onestop", "--lastname", "admin",
                "--email", "admin@localhost", answer=f"{password}\n{password}\n",
            )  # fmt: skip
            (self.state / "admin_created").touch()
        self._cli("init")
        bundle = self.state / "dashboard.zip"
        bundle.touch(mode=0o600)  # it holds the BI role's password: readable by its owner only, from the start
        bundle.write_bytes(build_bundle(self.bi_url))
        try:
            self._cli(str(SUPERSET_DIR / "import_assets.py"), str(bundle), tool="python")
        finally:
            bundle.unlink()

    def start(self, timeout: float = 120) -> Superset:
        self._log = open(self.state / "server.log", "ab")  # noqa: SIM115 - held open by the server for its life
        self.server = subprocess.Popen(
            [
                superset_bin("gunicorn"), "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                "--worker-class", "gthread", "--threads", "4", "--timeout", "120", "superset.app:create_app()",
            ],
            env=self.env(), stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_healthy("Superset", f"{self.base_url}/health", {"Superset": self.server}, timeout, self.state)
        except (RuntimeError, TimeoutError):
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.server is not None:
            stop_groups([self.server])
        self.server = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Superset:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def build_bundle(bi_url: str) -> bytes:
    """The import ZIP: the database (the BI role's URL), each listed dataset with the catalog's columns, and the
    charts and dashboard as committed."""
    datasets = yaml.safe_load((ASSETS / "datasets.yaml").read_text())
    files = {
        "metadata.yaml": {"version": "1.0.0", "type": "assets", "timestamp": "2026-01-01T00:00:00+00:00"},
        "databases/onestop.yaml": {
            "database_name": DATABASE_NAME,
            "sqlalchemy_uri": bi_url.replace("postgresql://", "postgresql+psycopg2://", 1),
            "expose_in_sqllab": True,
            "allow_dml": False,
            "allow_ctas": False,
            "allow_cvas": False,
            "allow_file_upload": False,
            # Sessions in UTC: Superset reads timestamps as UTC, and a month truncated in the warehouse's own zone
            # (Asia/Ho_Chi_Minh) would show as the evening before, in the previous month.
            "extra": {
                "allows_virtual_table_explore": True,
                "engine_params": {"connect_args": {"options": "-c TimeZone=UTC"}},
            },
            "uuid": DATABASE_UUID,
            "version": "1.0.0",
        },
    }
    with psycopg.connect(bi_url) as conn:
        for dataset in datasets:
            files[f"datasets/onestop/{dataset['table']}.yaml"] = _dataset(conn, dataset)
    for folder in ("charts", "dashboards"):
        for path in sorted((ASSETS / folder).glob("*.yaml")):
            files[f"{folder}/{path.name}"] = yaml.safe_load(path.read_text())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, content in files.items():
            bundle.writestr(f"onestop_dashboard/{name}", yaml.safe_dump(content, allow_unicode=True, sort_keys=False))
    return buffer.getvalue()


def _dataset(conn: psycopg.Connection, dataset: dict) -> dict:
    """A dataset of Superset's over one marts relation: its columns as the catalog has them, each labelled by the
    Vietnamese head of its dbt description (the part before the English in brackets)."""
    table = dataset["table"]
    rows = conn.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum)"
        " from pg_attribute a where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped"
        " order by a.attnum",
        (f"marts.{table}",),
    ).fetchall()
    if not rows:
        raise LookupError(f"marts.{table} is missing: build the marts (`onestop dbt build`) before `onestop bi`")
    columns = [
        {
            "column_name": name,
            "verbose_name": _label(description) or name,
            "description": description,
            "type": kind.upper(),
            "is_dttm": kind in TEMPORAL,
            "groupby": True,
            "filterable": True,
            "is_active": True,
        }
        for name, kind, description in rows
    ]
    temporal = [c["column_name"] for c in columns if c["is_dttm"]]
    return {
        "table_name": table,
        "schema": "marts",
        "main_dttm_col": dataset.get("main_dttm_col", temporal[0] if temporal else None),
        "description": dataset.get("description"),
        "database_uuid": DATABASE_UUID,
        "uuid": dataset["uuid"],
        "columns": columns,
        "metrics": dataset.get("metrics", []),
        "version": "1.0.0",
    }


def _label(description: str | None) -> str | None:
    head = (description or "").split(" (", 1)[0].strip()
    return head or None
