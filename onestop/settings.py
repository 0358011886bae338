"""Every setting onestop reads, in one place: its variable, its default, its meaning.

`settings()` reads the environment once (again only when an `ONESTOP_*` variable changed, as tests and the local
wing do between provinces) into a frozen `Settings`; nothing else in onestop reads `ONESTOP_*` variables. A value
that cannot be read (a number that is not one) fails at once, naming the variable, never falling back to a
default. The README's table of variables is checked against `VARIABLES` (tests/unit/test_settings.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("ONESTOP_HOME") or Path(__file__).resolve().parents[1])

WAREHOUSE_URL_VAR = "ONESTOP_WAREHOUSE_URL"
STATE_DIR_VAR = "ONESTOP_STATE_DIR"
REGISTRY_VAR = "ONESTOP_REGISTRY"
GX_URL_VAR = "ONESTOP_GX_WAREHOUSE_URL"
# The warehouse's roles, each logging in with ONESTOP_<ROLE>_PASSWORD (sql/01_roles.sql creates them).
ROLES = ("onestop_loader", "onestop_transformer", "onestop_bi")
# Airflow's login: it owns Airflow's metadata database and nothing in the warehouse (no superuser in Airflow's hands).
AIRFLOW_DB_ROLE = "onestop_airflow"
LOGINS = (*ROLES, AIRFLOW_DB_ROLE)

# The Airflow pools the DAGs use, with their slots: created by `onestop airflow init` (compose's init, the demo,
# the tests) and named by the DAGs from here.
SOURCES_POOL = "onestop_sources"
TRANSFORM_POOL = "onestop_transform"
POOLS = {
    SOURCES_POOL: (4, "concurrent connections to source systems"),
    # One dbt command at a time on the warehouse, across runs too (a backfill may run beside the scheduled night).
    TRANSFORM_POOL: (1, "one dbt command at a time on the warehouse"),
}


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as the README shows it
    meaning: str
    who: str  # "you": set by whoever deploys; "onestop": set by onestop for a tool it runs (documented, not set)


VARIABLES: tuple[Variable, ...] = (
    Variable(WAREHOUSE_URL_VAR, "none: required", "The warehouse (`postgresql://[owner:pw@]host:port/db`): tasks"
             " take its address and log in as their role; the owner's credentials are for `warehouse init` alone."
             " The pipeline never starts a server: unset, a task fails naming this variable. The local wing"
             " (`make demo`, `make ui`, `onestop warehouse start`) sets it to its embedded server.", "you"),
    Variable(REGISTRY_VAR, "none: required", "The registry YAML of the source systems (district-systems.md); the"
             " demo sets it to its simulated province's.", "you"),
    Variable("ONESTOP_LOADER_PASSWORD", "generated (embedded server only)", "Password of `onestop_loader`.", "you"),
    Variable("ONESTOP_TRANSFORMER_PASSWORD", "generated (embedded server only)", "Password of"
             " `onestop_transformer`.", "you"),
    Variable("ONESTOP_BI_PASSWORD", "generated (embedded server only)", "Password of `onestop_bi` (BI tools).",
             "you"),
    Variable("ONESTOP_AIRFLOW_PASSWORD", "generated (embedded server only)", "Password of `onestop_airflow`, the"
             " login that owns Airflow's metadata database (`<db>_airflow`, created by `warehouse init`).", "you"),
    Variable("ONESTOP_PII_KEY", "generated into the state folder", "Key of the keyed hash (HMAC-SHA256) that"
             " pseudonymises personal data in staging.", "you"),
    Variable("ONESTOP_LOOKBACK_DAYS", "2", "Days an extraction re-reads before the system's watermark.", "you"),
    Variable("ONESTOP_TASK_RETRIES", "3", "Retries of a failed nightly task (exponential backoff).", "you"),
    Variable("ONESTOP_RETRY_DELAY_SECONDS", "120", "First retry delay of a nightly task.", "you"),
    Variable("ONESTOP_ALERT_WEBHOOK", "none", "URL receiving alerts as a JSON POST with a `text` field (Slack,"
             " Teams, Mattermost).", "you"),
    Variable("ONESTOP_ALERT_EMAIL", "none", "Comma-separated addresses for alerts (Airflow's e-mail backend).",
             "you"),
    Variable("ONESTOP_REPORTS_DIR", "`<state>/reports`", "Where the monthly reports are written.", "you"),
    Variable(STATE_DIR_VAR, "`.onestop/`", "Local state: the embedded server's data, Airflow's home on a"
             " laptop, Data Docs, generated secrets, the demo province.", "you"),
    Variable("ONESTOP_HOME", "the checkout", "Where `dags/`, `dbt_project/`, `sql/` and `expectations/` are.",
             "you"),
    Variable("ONESTOP_AIRFLOW_PORT", "8080", "Port of Airflow's api-server that `make ui` starts.", "you"),
    Variable("ONESTOP_DBT_HOST", "from the warehouse URL", "dbt's profile (`dbt_project/profiles.yml`): host;"
             " set by onestop for every dbt it runs; set by hand only where dbt runs without it.", "onestop"),
    Variable("ONESTOP_DBT_PORT", "from the warehouse URL", "dbt's profile: port.", "onestop"),
    Variable("ONESTOP_DBT_USER", "`onestop_transformer`", "dbt's profile: login (the profile also sets the role"
             " `onestop_transformer`, so a build on another login still writes as it).", "onestop"),
    Variable("ONESTOP_DBT_PASSWORD", "the transformer's", "dbt's profile: password.", "onestop"),
    Variable("ONESTOP_DBT_DBNAME", "from the warehouse URL", "dbt's profile: database.", "onestop"),
    Variable(GX_URL_VAR, "from the warehouse URL", "The gate's connection for Great Expectations, read through"
             " `${...}` so no password lands in GX's files.", "onestop"),
)  # fmt: skip


def variables_table() -> str:
    """The README's table of variables, rendered from `VARIABLES` (the README holds exactly this text)."""
    lines = ["| variable | default | meaning | set by |", "|---|---|---|---|"]
    for v in VARIABLES:
        lines.append(f"| `{v.name}` | {v.default} | {v.meaning} | {'onestop' if v.who == 'onestop' else 'you'} |")
    return "\n".join(lines)


class SettingsError(ValueError):
    """A variable is set to something that cannot be used: configuration fails loudly, naming it."""


@dataclass(frozen=True)
class Settings:
    warehouse_url: str | None
    registry: Path | None
    role_passwords: tuple[tuple[str, str | None], ...]  # (role, password from the environment or None)
    pii_key: str | None
    lookback_days: float
    task_retries: int
    retry_delay_seconds: float
    alert_webhook: str | None
    alert_emails: tuple[str, ...]
    reports_dir: Path
    state_dir: Path
    airflow_port: int

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ = os.environ) -> Settings:
        def text(name: str) -> str | None:
            return env.get(name) or None

        def number(name: str, default: str, kind=float):
            value = env.get(name) or default
            try:
                return kind(value)
            except ValueError:
                raise SettingsError(f"{name}={value!r} is not a {kind.__name__}") from None

        state = Path(text(STATE_DIR_VAR) or PROJECT_ROOT / ".onestop").resolve()
        registry = text(REGISTRY_VAR)
        return cls(
            warehouse_url=text(WAREHOUSE_URL_VAR),
            registry=Path(registry) if registry else None,
            role_passwords=tuple((role, text(f"{role.upper()}_PASSWORD")) for role in LOGINS),
            pii_key=text("ONESTOP_PII_KEY"),
            lookback_days=number("ONESTOP_LOOKBACK_DAYS", "2"),
            task_retries=number("ONESTOP_TASK_RETRIES", "3", int),
            retry_delay_seconds=number("ONESTOP_RETRY_DELAY_SECONDS", "120"),
            alert_webhook=text("ONESTOP_ALERT_WEBHOOK"),
            alert_emails=tuple(e.strip() for e in (text("ONESTOP_ALERT_EMAIL") or "").split(",") if e.strip()),
            reports_dir=Path(text("ONESTOP_REPORTS_DIR") or state / "reports"),
            state_dir=state,
            airflow_port=number("ONESTOP_AIRFLOW_PORT", "8080", int),
        )

    def password(self, role: str) -> str | None:
        return dict(self.role_passwords)[role]


@cache
def _settings(snapshot: tuple[tuple[str, str], ...]) -> Settings:
    return Settings.from_env(dict(snapshot))


def settings() -> Settings:
    """The settings as the environment has them now (read once per distinct environment)."""
    return _settings(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("ONESTOP_"))))


# No telemetry and no outbound calls from any library onestop runs.
QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "False",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "SCARF_ANALYTICS": "false",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
}


def state_dir() -> Path:
    """The git-ignored folder holding the embedded warehouse, Airflow's home and generated files."""
    return settings().state_dir


def apply_quiet_env() -> None:
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
