"""A free TCP port on the loopback, for the servers a test starts (Airflow's api-server, Redis, Superset)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
