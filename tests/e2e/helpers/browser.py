"""Headless Chromium (Debian's package, installed by `make test`) rendering a local page to a PNG."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from onestop.report.chromium import FLAGS
from onestop.report.chromium import chromium as find_chromium


def chromium() -> str:
    found = find_chromium()
    assert found, "Debian's chromium is missing: `make test` installs it (make system-packages)"
    return found


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 2400) -> Path:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


def dump_dom(page: Path) -> str:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
            text=True,
        ).stdout
