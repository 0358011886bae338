"""The dvcqg_api connector against a mock transport: paging, the envelope's quirks, failures named."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest

from onestop.sources.base import SchemaError, SourceError
from onestop.sources.dvcqg_api import DvcqgApiSource
from tests.unit.samples import HOSO

WINDOW = (datetime(2025, 6, 1), datetime(2025, 6, 2))


def source(handler) -> DvcqgApiSource:
    return DvcqgApiSource(
        "songcau", "http://songcau.invalid", "token", *WINDOW, page_size=2, transport=httpx.MockTransport(handler)
    )


def pages(
    records: dict[str, list[dict]], envelope: dict | None = None, drop_code: bool = False, windowed: bool = False
):
    """A handler serving each endpoint's records page by page, as the contract says (`windowed`: only those whose
    `NgayCapNhat` lies in the window asked); every request is kept."""
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        entity = "hoso" if request.url.path.endswith("hoso") else "pakn"
        items = records.get(entity, [])
        if windowed:
            since, until = request.url.params["cap_nhat_tu"], request.url.params["cap_nhat_den"]
            items = [item for item in items if since <= item["NgayCapNhat"] < until]
        size, page = int(request.url.params["so_ban_ghi"]), int(request.url.params["trang"])
        body = {
            "error_code": "0",
            "message": "Thành công",
            "tong_so": len(items),
            "trang": page,
            "so_trang": max(1, -(-len(items) // size)),
            "result": items[(page - 1) * size : page * size],
            **(envelope or {}),
        }
        if drop_code:
            del body["error_code"]
        return httpx.Response(200, json=body)

    return handler, seen


def test_pages_are_read_in_order_with_the_window_and_token() -> None:
    dossiers = [{**HOSO, "MaHoSo": f"D{i}"} for i in range(5)]
    handler, seen = pages({"hoso": dossiers})
    src = source(handler)
    records = list(src.records())
    assert [r.payload["MaHoSo"] for r in records] == [f"D{i}" for i in range(5)]
    assert [r.position for r in records][:3] == [
        "/api/v1/hoso page 1 item 1",
        "/api/v1/hoso page 1 item 2",
        "/api/v1/hoso page 2 item 1",
    ]
    hoso = [r for r in seen if r.url.path == "/api/v1/hoso"]
    assert [r.url.params["trang"] for r in hoso] == ["1", "2", "3"]
    assert (
        hoso[0].url.params["cap_nhat_tu"] == "20250601000000" and hoso[0].url.params["cap_nhat_den"] == "20250602000000"
    )
    assert hoso[0].headers["Authorization"] == "Bearer token"
    assert src.control_totals == {"dossiers": 5, "feedback": 0} and src.bytes_read > 0


@pytest.mark.parametrize(
    "envelope", [{"error_code": 0}, {"error_code": "00"}, {"error_code": None, "message": "Thành công"}]
)
def test_the_success_codes_real_systems_send(envelope) -> None:
    if envelope.get("error_code", "x") is None:
        envelope = {k: v for k, v in envelope.items() if k != "error_code"}
    handler, _ = pages({"hoso": [HOSO]}, envelope)
    assert len(list(source(handler).records())) == 1


def test_a_non_zero_error_code_fails_the_system_whatever_the_http_status() -> None:
    handler, _ = pages({"hoso": [HOSO]}, {"error_code": "401", "message": "Phiên làm việc hết hạn"})
    with pytest.raises(
        SourceError, match=r"songcau /api/v1/hoso page 1: not an explicit success.*Phiên làm việc hết hạn"
    ):
        list(source(handler).records())


@pytest.mark.parametrize(
    "envelope",
    [
        {"error_code": "", "message": "Phiên đăng nhập đã hết hạn"},  # blank codes: a session-expired page
        {"error_code": " "},
        {"error_code": None, "message": "OK"},
        {"error_code": False},
        {"tong_so": None},  # an answer without its count or list says nothing, it is not "no changes"
        {"result": None},
        {"tong_so": "N/A"},
        {"tong_so": "-1"},
        {"result": "[]"},
    ],
)
def test_an_answer_that_says_nothing_fails_the_system_quoting_it(envelope) -> None:
    without_code = "error_code" in envelope and envelope["error_code"] is None
    envelope = {k: v for k, v in envelope.items() if not (k == "error_code" and v is None)}
    handler, _ = pages({}, envelope, drop_code=without_code)
    body = json.dumps(envelope, ensure_ascii=False)
    with pytest.raises(SourceError, match="songcau /api/v1/hoso page 1: .*the answer was '") as failed:
        list(source(handler).records())
    for value in envelope.values():
        if isinstance(value, str) and value.strip():
            assert value in str(failed.value), body


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(503), "HTTP 503"),
        (httpx.Response(200, content=b"<html>maintenance</html>"), "not JSON"),
    ],
)
def test_server_errors_and_garbage_fail_naming_the_page(response, reason) -> None:
    with pytest.raises(SourceError, match=f"songcau /api/v1/hoso page 1: .*{reason}"):
        list(source(lambda request: response).records())


def test_a_timeout_is_a_source_error() -> None:
    def handler(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(SourceError, match="ConnectTimeout"):
        list(source(handler).records())


def test_a_dropped_field_fails_naming_it_and_a_non_object_is_kept_unparsed() -> None:
    renamed = {k: v for k, v in HOSO.items() if k != "NgayHenTra"} | {"NgayHenTraKetQua": ""}
    handler, _ = pages({"hoso": [renamed]})
    with pytest.raises(SchemaError, match="endpoint /api/v1/hoso no longer sends column.*NgayHenTra"):
        list(source(handler).records())
    handler, _ = pages({"hoso": [HOSO, "not an object"]})
    records = list(source(handler).records())
    assert records[1].payload is None and records[1].error.startswith("unparseable")
    assert json.loads(records[0].raw)["MaHoSo"] == HOSO["MaHoSo"]


def test_a_window_with_more_records_than_a_part_holds_is_read_in_halves_each_record_once(monkeypatch) -> None:
    """An initial load's year is read as parts of at most MAX_WINDOW_RECORDS, each paged from its own page 1: the
    system's OFFSET stays shallow. Every record is read once, in the contract's order, and the control total is the
    sum of the parts' counts."""
    monkeypatch.setattr("onestop.sources.dvcqg_api.MAX_WINDOW_RECORDS", 4)
    # 13 dossiers over the day, three of them in the same second (a part cannot split a second).
    stamps = [f"20250601{hour:02d}0000" for hour in range(10)] + ["20250601233000"] * 3
    dossiers = [{**HOSO, "MaHoSo": f"D{i:02d}", "NgayCapNhat": stamp} for i, stamp in enumerate(stamps)]
    handler, seen = pages({"hoso": dossiers}, windowed=True)
    src = source(handler)
    records = list(src.records())
    assert [r.payload["MaHoSo"] for r in records] == [d["MaHoSo"] for d in dossiers]
    assert src.control_totals == {"dossiers": 13, "feedback": 0}
    hoso = [r for r in seen if r.url.path == "/api/v1/hoso"]
    # No part deeper than its size allows (4 records, pages of 2; read whole, the day has 7), and the first request
    # asked for the whole day.
    assert max(int(r.url.params["trang"]) for r in hoso) == 2
    first = hoso[0].url.params
    assert (first["cap_nhat_tu"], first["cap_nhat_den"]) == ("20250601000000", "20250602000000")
    # A part is named in the position, so that the row can be found again.
    assert records[0].position == "/api/v1/hoso [20250601000000, 20250601030000) page 1 item 1"
