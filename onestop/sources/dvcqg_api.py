"""`dvcqg_api`: JSON over HTTP shaped like the DVCQG sync payload, read page by page.

Tolerates the real systems' quirks: `error_code` as 0, "0" or "00" (or only the message "Thành công"), records
that move between pages (the window overlaps the previous night's, duplicates collapse downstream), HTTP 5xx
and timeouts (a `SourceError`, which Airflow retries with backoff).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import httpx

from onestop.sources.base import Record, SchemaError, SourceError
from onestop.sources.contract import API_FORMAT, missing_columns

ENDPOINTS = {"dossiers": "/api/v1/hoso", "feedback": "/api/v1/pakn"}
PAGE_SIZE = 500
# A window with more records than this is read as two halves (see `_pages`): 20 pages of the default size.
MAX_WINDOW_RECORDS = 10_000


def _success(envelope: dict) -> bool:
    """Only an explicit success is one (the contract's quirks): `error_code` 0, "0" or "00", or, without an
    `error_code`, the message "Thành công". An empty or blank code (a session-expired page) is not."""
    code = envelope.get("error_code")
    if code is None:
        return envelope.get("message") == "Thành công"
    if isinstance(code, bool):
        return False
    return isinstance(code, int | str) and str(code).strip() != "" and set(str(code).strip()) == {"0"}


def _count(envelope: dict, name: str) -> int | None:
    """A count of the envelope as an int (every scalar is a JSON string; a number is tolerated), None if absent
    or not a whole number."""
    value = envelope.get(name)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _middle(since: datetime, until: datetime) -> datetime | None:
    """The second halfway through [since, until), None for a window too short to halve (the contract's dates are
    to the second)."""
    middle = (since + (until - since) / 2).replace(microsecond=0)
    return middle if since < middle < until else None


def _quoted(response: httpx.Response) -> str:
    text = response.text
    return repr(text[:300] + ("…" if len(text) > 300 else ""))


class DvcqgApiSource:
    def __init__(
        self,
        system_id: str,
        base_url: str,
        token: str | None,
        window_start: datetime,
        window_end: datetime,
        timeout: float = 60,
        page_size: int = PAGE_SIZE,
        transport: httpx.BaseTransport | None = None,
    ):
        self.system_id = system_id
        self.base_url = base_url
        self.token = token
        self.timeout = timeout
        self.page_size = page_size
        self.transport = transport  # None: the network (tests hand in a mock transport)
        self.window = (window_start, window_end)
        self.control_totals: dict[str, int] = {}
        self.bytes_read = 0

    @classmethod
    def from_connection(cls, entry, window_start: datetime, window_end: datetime) -> DvcqgApiSource:
        """The system's `http` connection (Airflow's: the environment or a secrets backend) gives URL and token."""
        from airflow.sdk import Connection

        conn = Connection.get(entry.conn_id)
        extra = conn.extra_dejson
        scheme = conn.schema or "http"
        port = f":{conn.port}" if conn.port else ""
        return cls(
            entry.id,
            f"{scheme}://{conn.host}{port}",
            conn.password,
            window_start,
            window_end,
            timeout=float(extra.get("timeout", 60)),
            page_size=int(extra.get("page_size", PAGE_SIZE)),
        )

    def describe(self) -> str:
        return f"{self.system_id} ({self.base_url})"

    def records(self) -> Iterator[Record]:
        self.control_totals = {}  # summed over the parts of the window read below
        with httpx.Client(
            base_url=self.base_url,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.token}"},
            transport=self.transport,
        ) as client:
            for entity, endpoint in ENDPOINTS.items():
                yield from self._pages(client, entity, endpoint)

    def _pages(
        self, client: httpx.Client, entity: str, endpoint: str, window: tuple[datetime, datetime] | None = None
    ) -> Iterator[Record]:
        """The records of `window` (the whole window unless a part of it), page by page. A window holding more than
        MAX_WINDOW_RECORDS is read as its two halves, each the same way: a system pages by OFFSET, so page n costs it
        n pages of reading, and a year read as one window (an initial load, a system back after weeks) would cost
        it the square of its pages."""
        since, until = window or self.window
        part = window is not None
        params = {
            "cap_nhat_tu": since.strftime(API_FORMAT),
            "cap_nhat_den": until.strftime(API_FORMAT),
            "so_ban_ghi": self.page_size,
        }
        # Where a row came from: a part of the window is named, so that page 3 item 5 can be found again.
        at = f"{endpoint} [{params['cap_nhat_tu']}, {params['cap_nhat_den']})" if part else endpoint
        page, pages = 1, 1
        while page <= pages:
            where = f"{self.system_id} {at} page {page}"
            try:
                response = client.get(endpoint, params={**params, "trang": page})
            except httpx.HTTPError as error:
                raise SourceError(f"{where}: {type(error).__name__}: {error}") from error
            self.bytes_read += len(response.content)
            if response.status_code >= 400:
                raise SourceError(f"{where}: HTTP {response.status_code}")
            try:
                envelope = response.json()
            except ValueError as error:
                raise SourceError(f"{where}: the response is not JSON: {_quoted(response)}") from error
            if not isinstance(envelope, dict) or not _success(envelope):
                raise SourceError(f"{where}: not an explicit success, the answer was {_quoted(response)}")
            # An answer that says nothing is not "no changes": the counts and the list must be there, typed.
            total, result = _count(envelope, "tong_so"), envelope.get("result")
            if total is None or not isinstance(result, list):
                raise SourceError(
                    f"{where}: the envelope lacks a whole tong_so or a result list, the answer was {_quoted(response)}"
                )
            if page == 1:
                middle = _middle(since, until)
                if total > MAX_WINDOW_RECORDS and middle is not None:
                    # The page read only for its count is let go: held by each level of halving while the parts
                    # are read, the pages raised a year's peak RSS from 176 to 243 MB.
                    del response, envelope, result
                    yield from self._pages(client, entity, endpoint, (since, middle))
                    yield from self._pages(client, entity, endpoint, (middle, until))
                    return
                # Each part's own count: the parts' records are what the system said it has in them.
                self.control_totals[entity] = self.control_totals.get(entity, 0) + total
                pages = _count(envelope, "so_trang") or 1
            for index, item in enumerate(result):
                if index == 0 and page == 1 and isinstance(item, dict):
                    self._check_columns(entity, endpoint, result)
                position = f"{at} page {page} item {index + 1}"
                raw = json.dumps(item, ensure_ascii=False)
                if not isinstance(item, dict):
                    yield Record(entity, position, raw, None, "unparseable: not a JSON object")
                else:
                    yield Record(entity, position, raw, item)
            page += 1

    def _check_columns(self, entity: str, endpoint: str, result: list) -> None:
        fields = set().union(*(item.keys() for item in result if isinstance(item, dict)))
        missing = missing_columns("dvcqg_api", entity, fields)
        if missing:
            raise SchemaError(
                f"system {self.system_id}: endpoint {endpoint} no longer sends column(s) "
                f"{', '.join(missing)} (a renamed or dropped field)"
            )
