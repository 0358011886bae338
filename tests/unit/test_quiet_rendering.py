"""The nightly DAG's parse says only what means something: Cosmos' warning for a dbt node it makes no task for is
dropped for the exposures and the on-run-end hook (never tasks, by design), kept for anything else."""

from __future__ import annotations

import logging

from onestop.orchestration import quiet_cosmos_rendering


def test_cosmos_warnings_about_exposures_and_hooks_are_dropped_and_others_kept(caplog) -> None:
    quiet_cosmos_rendering()
    quiet_cosmos_rendering()  # idempotent: one filter, however often the DAG file is parsed
    logger = logging.getLogger("cosmos.airflow.graph")
    assert len(logger.filters) == 1
    with caplog.at_level(logging.WARNING, logger="cosmos.airflow.graph"):
        for kind, node in (("EXPOSURE", "exposure.onestop.x"), ("OPERATION", "operation.onestop.y"), ("SNAPSHOT", "z")):
            logger.warning(
                "Unavailable conversion function for <DbtResourceType.%s> (node <%s>). Define a converter function"
                " using render_config.node_converters.",
                kind,
                node,
            )
        logger.warning("something else Cosmos says")
    assert [r.getMessage()[:52] for r in caplog.records] == [
        "Unavailable conversion function for <DbtResourceType",
        "something else Cosmos says",
    ]
    assert "SNAPSHOT" in caplog.records[0].getMessage()
