"""A process's output sent to a file: the stream objects and the descriptors both, so what libraries holding the
descriptors and child processes write goes there too (the demo's log; the tests' capture of a night)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO


@contextlib.contextmanager
def redirected_output(path: Path, mode: str = "a") -> Iterator[TextIO]:
    """Everything written to stdout and stderr while the block runs goes to `path`; yields a stream on what stdout
    was before (the terminal), for what is still to be said there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_fds, saved_streams = (os.dup(1), os.dup(2)), (sys.stdout, sys.stderr)
    with (
        open(path, mode, encoding="utf-8", errors="backslashreplace", buffering=1) as sink,
        os.fdopen(os.dup(saved_fds[0]), "w", encoding="utf-8", buffering=1) as terminal,
    ):
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        sys.stdout = sys.stderr = sink
        try:
            yield terminal
        finally:
            sink.flush()
            sys.stdout, sys.stderr = saved_streams
            for fd, saved in zip((1, 2), saved_fds, strict=True):
                os.dup2(saved, fd)
                os.close(saved)
