"""Whole-process measurement: wall time and peak RSS of a command, from GNU time (`/usr/bin/time -v`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    stdout: str


def run(args: list[str], env: dict | None = None, check: bool = True, unset: tuple[str, ...] = ()) -> Measured:
    """`args` under GNU time, with this environment plus `env`, less the variables named in `unset`."""
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in unset}
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-v", *args], env=environment, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return Measured(seconds, int(peak.group(1)) / 1024 if peak else float("nan"), result.stdout)


def python(*args: str, env: dict | None = None) -> Measured:
    return run([sys.executable, *args], env=env)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
