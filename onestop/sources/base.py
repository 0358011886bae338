"""What every connector yields, and how it fails."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


class SourceError(RuntimeError):
    """The system could not be read this night (down, timeout, bad envelope, control total)."""


class SchemaError(SourceError):
    """The system's format changed (a renamed or missing column): nothing of that night loads."""


@dataclass(slots=True)
class Record:
    """One record exactly as received, before any interpretation.

    `payload` is the record as a dict of the source's own field names (None when it could not be parsed);
    `raw` is its text as received; `position` says where it stood (page and index, file and line, table row).
    Where `raw` is the JSON of `payload` itself (API records, database rows) it is landed as it is.
    """

    entity: str  # dossiers | feedback
    position: str
    raw: str
    payload: dict | None
    error: str | None = None  # why it could not be parsed at all
    payload_json: str | None = None  # `payload` already serialised, when `raw` is not exactly that


class Source(Protocol):
    control_totals: dict[str, int]  # what the system said it sent, per entity, where it says so
    bytes_read: int

    def records(self) -> Iterator[Record]: ...

    def describe(self) -> str: ...
