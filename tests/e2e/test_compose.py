"""docker-compose.yml checked for structure (Docker cannot run here): every service's command and health check
exists in the locked environment, the environment names are the ones the code reads, and Metabase connects as the
read-only BI role the warehouse bootstrap creates."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from onestop.cli import build_parser
from onestop.settings import PROJECT_ROOT
from onestop.transform import dbt_env

ROOT = PROJECT_ROOT
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = [name for name, s in SERVICES.items() if s.get("image") == "onestop:latest"]
ONE_SHOT = {"onestop-init", "metabase-setup"}


def commands_of(service: dict) -> list[list[str]]:
    """Each command line a service runs: its command (split at `&&` inside bash -c) and its health check."""
    found = []
    command = service.get("command")
    if command:
        if command[:2] == ["bash", "-c"]:
            found += [shlex.split(part) for part in command[2].split("&&")]
        else:
            found.append(list(command))
    test = (service.get("healthcheck") or {}).get("test")
    if test and test[0] == "CMD":
        found.append(test[1:])
    elif test and test[0] == "CMD-SHELL":
        found.append(shlex.split(test[1]))
    return found


def test_every_service_has_a_health_check_or_runs_once() -> None:
    for name, service in SERVICES.items():
        if name in ONE_SHOT:
            assert service.get("restart") == "no", name
        else:
            assert service.get("healthcheck", {}).get("test"), name


def test_every_onestop_command_exists_in_the_locked_environment() -> None:
    lines = [line for name in AIRFLOW_SERVICES for line in commands_of(SERVICES[name])]
    airflow_lines = [line[1:] for line in lines if line[0] == "airflow"]
    onestop_lines = [line[1:] for line in lines if line[0] == "onestop"]
    celery_lines = [line for line in lines if line[0] == "celery"]
    assert {line[0] for line in lines} <= {"airflow", "onestop", "celery", "curl"}
    assert len(airflow_lines) >= 8 and ["airflow", "init"] in onestop_lines and celery_lines
    for args in onestop_lines:
        build_parser().parse_args(args)  # exits (fails the test) on an unknown command
    # Airflow's own CLI parser, in a fresh process as a container would load it (with the Celery provider).
    script = (
        "import sys, json\n"
        "from airflow.cli.cli_parser import get_parser\n"
        "parser = get_parser()\n"
        "for args in json.loads(sys.argv[1]):\n"
        "    parser.parse_args(args)\n"
    )
    import json

    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(airflow_lines)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for line in celery_lines:
        app = line[line.index("--app") + 1]
        module, attribute = app.rsplit(".", 1)
        probe = f"import {module} as m; assert hasattr(m, {attribute!r})"
        assert subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=120).returncode == 0, app
    for binary in ("airflow", "onestop", "celery", "dbt"):
        assert (Path(sys.executable).parent / binary).exists(), binary


def _names_read_by_the_code() -> set[str]:
    text = "\n".join(
        p.read_text(errors="replace")
        for pattern in ("onestop/**/*.py", "dags/*.py", "dbt_project/profiles.yml")
        for p in ROOT.glob(pattern)
    )
    from onestop.settings import LOGINS

    # Role passwords are read by a name built from each role: ONESTOP_<ROLE>_PASSWORD.
    return set(re.findall(r"ONESTOP_[A-Z_]+", text)) | {f"{role.upper()}_PASSWORD" for role in LOGINS}


def test_environment_names_match_the_code() -> None:
    environment = SERVICES["airflow-scheduler"]["environment"]
    onestop_names = {name for name in environment if name.startswith("ONESTOP_")}
    example = set(re.findall(r"^(ONESTOP_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    read = _names_read_by_the_code()
    assert onestop_names - read == set()
    assert example - read == set()
    # What dbt's profile needs is all there, named as the code names it.
    assert set(dbt_env("postgresql://u:p@h:5432/d")) - {
        "DO_NOT_TRACK",
        "GX_ANALYTICS_ENABLED",
        "SCARF_ANALYTICS",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY",
        "DBT_SEND_ANONYMOUS_USAGE_STATS",
        "AIRFLOW__CORE__LOAD_EXAMPLES",
    } <= set(environment)
    for role in ("LOADER", "TRANSFORMER", "BI"):
        assert f"ONESTOP_{role}_PASSWORD" in environment and f"ONESTOP_{role}_PASSWORD" in example
    assert "ONESTOP_PII_KEY" in example and "AIRFLOW__API_AUTH__JWT_SECRET" in (ROOT / ".env.example").read_text()


def test_metabase_reads_the_marts_as_the_bi_role() -> None:
    setup = SERVICES["metabase-setup"]["environment"]
    assert setup["WAREHOUSE_USER"] == "onestop_bi"
    assert setup["WAREHOUSE_PASSWORD"] == "${ONESTOP_BI_PASSWORD}"
    roles = (ROOT / "sql" / "01_roles.sql").read_text()
    assert "onestop_bi" in roles
    script = (ROOT / "deploy" / "metabase-setup.sh").read_text()
    assert '\\"user\\": \\"$WAREHOUSE_USER\\"' in script
    assert "marts" in script
    # Its own state in PostgreSQL under a login of its own, created at the server's first start; a pinned image.
    metabase = SERVICES["metabase"]
    assert re.fullmatch(r"metabase/metabase:v\d+\.\d+\.\d+(\.\d+)?", metabase["image"]), metabase["image"]
    assert metabase["environment"]["MB_DB_TYPE"] == "postgres" and "MB_DB_FILE" not in metabase["environment"]
    assert metabase["environment"]["MB_DB_USER"] == "metabase"
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in SERVICES["postgres"]["volumes"]
    init = (ROOT / "deploy" / "postgres-init" / "10-metabase.sh").read_text()
    assert "create role metabase login" in init and "create database metabase owner metabase" in init


def _secrets_of(service: dict) -> set[str]:
    """The `${NAME}` values a service's environment (and, through it, its container) receives."""
    return set(re.findall(r"\$\{([A-Z_]+)", " ".join(str(v) for v in (service.get("environment") or {}).values())))


def test_each_secret_reaches_only_the_services_that_need_it() -> None:
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    for name, service in SERVICES.items():
        # No container gets the whole .env; sources.env (the source systems' secrets) reaches the workers alone.
        files = [f if isinstance(f, str) else f["path"] for f in service.get("env_file", [])]
        assert ".env" not in files, name
        assert files == (["sources.env"] if name == "airflow-worker" else []), name
        # Every secret handed over is one .env.example documents (none arrives empty by a typo).
        assert _secrets_of(service) - {"ONESTOP_ALERT_WEBHOOK", "ONESTOP_ALERT_EMAIL"} <= example, name
    holders = {name for name, service in SERVICES.items() if "POSTGRES_PASSWORD" in _secrets_of(service)}
    assert holders == {"postgres", "onestop-init"}
    assert {name for name, s in SERVICES.items() if "ONESTOP_PII_KEY" in _secrets_of(s)} == {"onestop-init"}
    for name in AIRFLOW_SERVICES:
        environment = SERVICES[name]["environment"]
        for variable in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
            assert "://onestop_airflow:${ONESTOP_AIRFLOW_PASSWORD}@" in environment[variable], (name, variable)
        if name != "onestop-init":
            assert "@" not in environment["ONESTOP_WAREHOUSE_URL"], name  # the address, no owner's login
    assert "sources.env" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("secret", ["POSTGRES_PASSWORD", "ONESTOP_PII_KEY", "ONESTOP_BI_PASSWORD"])
def test_secrets_come_from_the_env_file(secret: str) -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert f"${{{secret}}}" in text
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen" in dockerfile and "dbt parse" in dockerfile
