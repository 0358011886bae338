"""`make demo` speaks for itself alone: its phases on the terminal, with a heartbeat while one runs long;
everything libraries and child processes write goes to the log file."""

from __future__ import annotations

import subprocess
import sys
import time

from onestop.local import demo


def test_the_phases_reach_the_terminal_and_the_rest_the_log(tmp_path, capfd) -> None:
    log = tmp_path / "logs" / "demo.log"
    with demo.output_to(log):
        demo.say("==> a phase")
        print("a library's chatter")
        print("a warning on stderr", file=sys.stderr)
        subprocess.run([sys.executable, "-c", "print('a child process')"], check=True)
    terminal = capfd.readouterr()
    assert "==> a phase" in terminal.out
    assert "chatter" not in terminal.out + terminal.err and "child" not in terminal.out + terminal.err
    kept = log.read_text()
    assert "a library's chatter" in kept and "a warning on stderr" in kept and "a child process" in kept
    assert "==> a phase" not in kept
    print("after")  # the process's own output is back where it was
    assert "after" in capfd.readouterr().out


def test_a_long_phase_has_a_heartbeat_and_a_short_one_none(monkeypatch, capfd) -> None:
    monkeypatch.setattr(demo, "HEARTBEAT_SECONDS", (0.2, 0.2))
    demo.phase("long", lambda: time.sleep(0.7) or ["done"])
    long = capfd.readouterr().out
    assert long.count("still running") >= 2 and "    done" in long
    demo.phase("short", lambda: [])
    assert "still running" not in capfd.readouterr().out


def test_the_log_is_counted_for_what_a_reader_should_see_first(tmp_path) -> None:
    log = tmp_path / "demo.log"
    log.write_text("2026 [info     ] fine\n2026 [warning  ] look\nan ERROR word\n2026 [error    ] broke\n")
    assert demo.warnings_in(log) == 3
