"""Connectors, one per kind of source system (district-systems.md). Each streams `Record`s with bounded memory."""

from __future__ import annotations

from onestop.sources.base import Record, SchemaError, Source, SourceError


def open_source(entry, *, window_start, window_end, night, loaded_files=None) -> Source:
    """The connector for a registry entry: adding a system of a known kind is a registry edit alone."""
    if entry.kind == "dvcqg_api":
        from onestop.sources.dvcqg_api import DvcqgApiSource

        return DvcqgApiSource.from_connection(entry, window_start, window_end)
    if entry.kind == "onegate_db":
        from onestop.sources.onegate_db import OnegateDbSource

        return OnegateDbSource(entry, window_start, window_end)
    if entry.kind == "csv_drop":
        from onestop.sources.csv_drop import CsvDropSource

        return CsvDropSource(entry, loaded_files or {}, night=night.day)
    raise SourceError(f"system {entry.id}: unknown kind {entry.kind!r}")


__all__ = ["Record", "SchemaError", "Source", "SourceError", "open_source"]
