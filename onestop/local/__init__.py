"""The local wing: running onestop on one machine (a laptop, CI) — the embedded PostgreSQL server, Airflow's
environment and processes for the laptop, the demo. The pipeline (`onestop.extract`, `sources`, `quality`,
`report`, `warehouse`, the DAGs) never imports it; the CLI's local commands, the tests and the benchmarks do.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from onestop.local.embedded import EmbeddedServer
from onestop.settings import WAREHOUSE_URL_VAR, state_dir
from onestop.warehouse import WAREHOUSE_DB


def embedded() -> EmbeddedServer:
    """The embedded server under the state folder (not started)."""
    return EmbeddedServer(state_dir() / "pg")


def is_external() -> bool:
    """True when the environment names a warehouse other than this state folder's embedded server (which
    `use_embedded` names to what it starts): then nothing here starts it, manages it or generates its secrets."""
    url = os.environ.get(WAREHOUSE_URL_VAR)
    if not url:
        return False
    state = embedded().state()
    return state is None or urlsplit(url).netloc != urlsplit(state.url(WAREHOUSE_DB)).netloc


def init_warehouse(**options) -> list[str]:
    """`onestop warehouse init` where the local wing stands: the embedded server (started, its secrets generated
    and kept in the state folder) unless the environment names another warehouse (whose secrets it must give)."""
    from onestop.warehouse import bootstrap

    generate = not is_external()
    done = bootstrap.init(use_embedded(), generate_secrets=generate, **options)
    if not is_external() and any(line.startswith("NOTE: raw is not partitioned") for line in done):
        from onestop.warehouse.partitions import partition_raw

        # This machine's own warehouse, from an older checkout: moved here rather than refused at the first night.
        done = [line for line in done if not line.startswith("NOTE: raw")] + partition_raw(use_embedded())
    return done


def use_embedded() -> str:
    """Start the embedded server (if the environment names no warehouse) and name it in this process's
    environment, so everything it runs or starts is told explicitly where the warehouse is."""
    if not os.environ.get(WAREHOUSE_URL_VAR):
        os.environ[WAREHOUSE_URL_VAR] = embedded().start().url(WAREHOUSE_DB)
    elif not is_external():  # a database of the embedded server's own (the named one is kept): make sure it runs
        embedded().start()
    return os.environ[WAREHOUSE_URL_VAR]
