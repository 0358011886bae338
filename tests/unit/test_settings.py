"""One place for every setting: defaults, loud failures, and the README's table kept true to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onestop.settings import PROJECT_ROOT, VARIABLES, Settings, SettingsError, variables_table

CODE = [*PROJECT_ROOT.glob("onestop/**/*.py"), *PROJECT_ROOT.glob("dags/*.py"), PROJECT_ROOT / "docker-compose.yml"]
CODE += [PROJECT_ROOT / ".env.example", PROJECT_ROOT / "dbt_project" / "profiles.yml", PROJECT_ROOT / "Makefile"]


def test_defaults_with_nothing_set(tmp_path: Path) -> None:
    found = Settings.from_env({})
    assert found.warehouse_url is None and found.registry is None  # required: no silent default
    assert (found.lookback_days, found.task_retries, found.retry_delay_seconds) == (2, 3, 120)
    assert found.state_dir == (PROJECT_ROOT / ".onestop").resolve() and found.reports_dir == found.state_dir / "reports"
    assert found.password("onestop_bi") is None and found.alert_emails == ()


def test_values_are_read_and_bad_ones_fail_naming_the_variable(tmp_path: Path) -> None:
    found = Settings.from_env(
        {
            "ONESTOP_STATE_DIR": str(tmp_path),
            "ONESTOP_LOOKBACK_DAYS": "3.5",
            "ONESTOP_ALERT_EMAIL": "a@example.invalid, b@example.invalid",
            "ONESTOP_BI_PASSWORD": "s3cret",
        }
    )
    assert found.lookback_days == 3.5 and found.reports_dir == tmp_path / "reports"
    assert found.alert_emails == ("a@example.invalid", "b@example.invalid") and found.password("onestop_bi") == "s3cret"
    with pytest.raises(SettingsError, match="ONESTOP_TASK_RETRIES='three'"):
        Settings.from_env({"ONESTOP_TASK_RETRIES": "three"})


def test_every_variable_the_code_reads_is_declared_and_in_the_readme() -> None:
    used = set()
    for path in CODE:
        used |= set(re.findall(r"\bONESTOP_[A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    declared = {v.name for v in VARIABLES}
    assert used <= declared, used - declared
    # The README's table is the one rendered from the declarations (regenerate: `onestop settings`).
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert variables_table() in readme
    assert len(re.findall(r"^\| `ONESTOP_", readme, re.MULTILINE)) == len(VARIABLES)
