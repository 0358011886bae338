"""The contract's basic rules, per kind and entity: what a record's key and change time are, and why a record
goes to quarantine instead of `raw`: an impossible or implausible date, a change time outside what was asked or
after the extraction, an unknown status, a missing code or required field, a finish before the receipt, a unit
that is not the system's.

Reasons start with a stable code (`impossible_date`, `implausible_date`, `future_change`, `outside_window`,
`unknown_status`, `missing_code`, `missing_field`, `finish_before_receipt`, `unknown_unit`, `foreign_unit`,
`unparseable`, `control_character`) followed by the detail, so that both people and tests can read them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from onestop.vocabulary import CSV_FEEDBACK_STATUS, CSV_STATUS, ONEGATE_FEEDBACK_STATUS, ONEGATE_STATUS

API_FORMAT = "%Y%m%d%H%M%S"
CSV_FORMAT = "%d/%m/%Y %H:%M"
# No one-stop record predates 2000; an event (receipt, finish, change) cannot lie beyond the day after the moment
# the system was read. Due dates may lie ahead, within a statutory horizon.
EARLIEST = datetime(2000, 1, 1)
EVENT_SLACK = timedelta(days=1)
DUE_HORIZON = timedelta(days=5 * 366)


class Rejected(ValueError):
    pass


@dataclass(frozen=True)
class EntityContract:
    key: str
    change: str | None  # None: the change time is the file's day (csv_drop)
    required: tuple[str, ...]  # fields whose absence from a whole batch means the format changed
    dates: tuple[str, ...]
    status: str
    statuses: frozenset[str]
    received: str | None = None
    finished: str | None = None
    procedure: str | None = None
    date_format: str | None = API_FORMAT  # None: typed by the database
    unit: str = ""  # the unit the record belongs to: one of its system's units
    not_null: tuple[str, ...] = ()  # fields every record must fill (besides key, status and procedure)
    due: tuple[str, ...] = ()  # date fields that may lie in the future
    history: tuple[str, str] | None = None  # (list field, status field) of the entries whose status words count
    canonical: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "canonical", {_fold(s): s for s in self.statuses})


def _fold(word) -> str:
    """A status word as compared: composed Unicode (NFC), case-folded, spaces collapsed ("Done", " done ",
    "ĐANG XỬ LÝ" and a decomposed "Đang xử lý" all match their word)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(word)).casefold()).strip()


CONTRACTS: dict[tuple[str, str], EntityContract] = {
    ("dvcqg_api", "dossiers"): EntityContract(
        key="MaHoSo",
        change="NgayCapNhat",
        required=(
            "MaHoSo",
            "MaTTHC",
            "MaDonViTiepNhan",
            "KenhThucHien",
            "NgayTiepNhan",
            "NgayHenTra",
            "TrangThaiHoSo",
            "NgayKetThucXuLy",
            "NgayCapNhat",
            "QuaTrinhXuLy",
        ),
        dates=("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayCapNhat"),
        status="TrangThaiHoSo",
        statuses=frozenset(str(i) for i in range(1, 11)),
        received="NgayTiepNhan",
        finished="NgayKetThucXuLy",
        procedure="MaTTHC",
        unit="MaDonViTiepNhan",
        not_null=("MaDonViTiepNhan", "NgayTiepNhan"),
        due=("NgayHenTra",),
    ),
    ("dvcqg_api", "feedback"): EntityContract(
        key="MaPAKN",
        change="NgayCapNhat",
        required=("MaPAKN", "MaDonVi", "NgayGui", "NgayTiepNhan", "NgayXuLy", "TrangThai", "NgayCapNhat"),
        dates=("NgayGui", "NgayTiepNhan", "NgayXuLy", "NgayCongKhai", "NgayCapNhat"),
        status="TrangThai",
        statuses=frozenset(str(i) for i in range(1, 7)),
        unit="MaDonVi",
        not_null=("MaDonVi", "NgayGui"),
    ),
    ("onegate_db", "dossiers"): EntityContract(
        key="dossier_no",
        change="updated_at",
        required=(
            "id",
            "dossier_no",
            "procedure_code",
            "unit_code",
            "channel",
            "received_at",
            "due_at",
            "finished_at",
            "status",
            "updated_at",
        ),
        dates=("received_at", "due_at", "finished_at", "returned_at", "updated_at"),
        status="status",
        statuses=frozenset(ONEGATE_STATUS.values()),
        received="received_at",
        finished="finished_at",
        procedure="procedure_code",
        date_format=None,
        unit="unit_code",
        not_null=("unit_code", "received_at"),
        due=("due_at",),
        history=("actions", "status"),
    ),
    ("onegate_db", "feedback"): EntityContract(
        key="id",
        change="updated_at",
        required=("id", "unit_code", "sent_at", "received_at", "answered_at", "status", "updated_at"),
        dates=("sent_at", "received_at", "answered_at", "published_at", "updated_at"),
        status="status",
        statuses=frozenset(ONEGATE_FEEDBACK_STATUS.values()),
        date_format=None,
        unit="unit_code",
        not_null=("unit_code", "sent_at"),
    ),
    ("csv_drop", "dossiers"): EntityContract(
        key="Mã hồ sơ",
        change=None,
        required=(
            "Mã hồ sơ",
            "Mã thủ tục",
            "Đơn vị tiếp nhận",
            "Kênh nộp",
            "Ngày tiếp nhận",
            "Ngày hẹn trả",
            "Ngày kết thúc xử lý",
            "Trạng thái",
            "Số lần yêu cầu bổ sung",
            "Ngày yêu cầu bổ sung",
            "Ngày nhận bổ sung",
            "Cán bộ xử lý",
            "Phòng ban xử lý",
        ),
        dates=(
            "Ngày tiếp nhận",
            "Ngày hẹn trả",
            "Ngày kết thúc xử lý",
            "Ngày trả kết quả",
            "Ngày yêu cầu bổ sung",
            "Ngày nhận bổ sung",
        ),
        status="Trạng thái",
        statuses=frozenset(CSV_STATUS.values()),
        received="Ngày tiếp nhận",
        finished="Ngày kết thúc xử lý",
        procedure="Mã thủ tục",
        date_format=CSV_FORMAT,
        unit="Đơn vị tiếp nhận",
        not_null=("Đơn vị tiếp nhận", "Ngày tiếp nhận"),
        due=("Ngày hẹn trả",),
    ),
    ("csv_drop", "feedback"): EntityContract(
        key="Mã phản ánh",
        change=None,
        required=("Mã phản ánh", "Đơn vị", "Ngày gửi", "Ngày tiếp nhận", "Ngày trả lời", "Trạng thái"),
        dates=("Ngày gửi", "Ngày tiếp nhận", "Ngày trả lời", "Ngày công khai"),
        status="Trạng thái",
        statuses=frozenset(CSV_FEEDBACK_STATUS.values()),
        date_format=CSV_FORMAT,
        unit="Đơn vị",
        not_null=("Đơn vị", "Ngày gửi"),
    ),
}


def _fast(text: str, fmt: str) -> datetime:
    # The two contract formats, parsed by slicing: strptime is ten times slower on a night's million dates.
    if fmt == API_FORMAT and len(text) == 14 and text.isdigit():
        return datetime(
            int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]), int(text[12:14])
        )
    if fmt == CSV_FORMAT and len(text) == 16 and text[2] == text[5] == "/" and text[10] == " " and text[13] == ":":
        return datetime(int(text[6:10]), int(text[3:5]), int(text[:2]), int(text[11:13]), int(text[14:16]))
    return datetime.strptime(text, fmt)


# Dates repeat: a dossier's versions carry the same receipt and due dates night after night, and a csv file's rows
# share their day's times; on a csv system's year, seven parses in eight find the text already parsed. The same
# text gives the same object (the raw writer formats a change time once while it stays the same).
@lru_cache(maxsize=1 << 14)
def parse_date(text: str, fmt: str | None) -> datetime:
    """A date's text in the contract's format (`fmt`, None for ISO 8601); ValueError if it is none."""
    return datetime.fromisoformat(text) if fmt is None else _fast(text, fmt)


def _parse(value, fmt: str | None, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if fmt is None and isinstance(value, datetime):
        return value
    try:
        return parse_date(value if isinstance(value, str) else str(value), fmt)
    except ValueError:
        raise Rejected(f"impossible_date: {field}={value!r}") from None


def _clean_text(text: str) -> bool:
    """The record's whole text is free of what `_has_control_characters` looks for, in three C-speed scans: no NUL
    (raw, or as JSON writes it), and valid UTF-8. The text is the payload as json.dumps(ensure_ascii=False) wrote it
    (or a csv line whose fields are substrings of it); a text that fails this is judged value by value."""
    if "\x00" in text or "\\u0000" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _has_control_characters(value) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return True
        if value.isascii():
            return False
        try:  # a lone surrogate (invalid UTF-8 kept by surrogateescape) cannot be encoded; checked in C
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_control_characters(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_control_characters(v) for v in value)
    return False


@dataclass(frozen=True)
class Bounds:
    """What a night's records are judged against: the change times it asked for (`window`, None for a csv file
    whose change time is its day), the moment the system was read, and the units the system holds (`units`,
    from the registry) among all the province's (`known_units`, units.csv). Empty collections check nothing."""

    window: tuple[datetime, datetime] | None = None
    read_at: datetime | None = None
    units: Collection[str] = ()
    known_units: Collection[str] = ()


NO_BOUNDS = Bounds()


def canonical_status(contract: EntityContract, payload: dict) -> bool:
    """Replace status words written in another case or spacing by the contract's own; True if any was."""
    if not contract.history:  # the common case, a record without a history: one look
        value = payload.get(contract.status)
        if value is None or str(value) in contract.statuses:
            return False
    changed = False
    entries = [payload]
    if contract.history:
        listed = payload.get(contract.history[0])
        entries += [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    for entry, name in [(payload, contract.status)] + [(e, contract.history[1]) for e in entries[1:]]:
        value = entry.get(name)
        if value is None or str(value) in contract.statuses:
            continue
        word = contract.canonical.get(_fold(value))
        if word is not None:
            entry[name] = word if isinstance(value, str) else type(value)(word)
            changed = True
    return changed


def check(
    kind: str,
    entity: str,
    payload: dict,
    file_day_end: datetime | None = None,
    bounds: Bounds = NO_BOUNDS,
    text: str | None = None,
    canonical: bool = False,
) -> tuple[str, datetime]:
    """(key, change time) of a valid record; raises Rejected with the reason otherwise. Status words in another
    case or spacing are first rewritten to the contract's (`canonical_status`), unless `canonical` says the caller
    did. `text`, the record as serialised (JSON of the payload or its csv line), lets the check for control
    characters scan it once instead of every value."""
    contract = CONTRACTS[(kind, entity)]
    if (text is None or not _clean_text(text)) and _has_control_characters(payload):
        raise Rejected("control_character: a NUL byte or invalid UTF-8 in the record")
    key = payload.get(contract.key)
    if key in (None, ""):
        raise Rejected(f"missing_code: {contract.key} is empty")
    for name in contract.not_null:
        if payload.get(name) in (None, ""):
            raise Rejected(f"missing_field: {name} is empty")
    dates = {field: _parse(payload.get(field), contract.date_format, field) for field in contract.dates}
    if not canonical:
        canonical_status(contract, payload)
    status = payload.get(contract.status)
    if str(status) not in contract.statuses:
        raise Rejected(f"unknown_status: {contract.status}={status!r}")
    if contract.procedure and payload.get(contract.procedure) in (None, ""):
        raise Rejected(f"missing_code: {contract.procedure} is empty")
    if contract.received and contract.finished:
        received, finished = dates.get(contract.received), dates.get(contract.finished)
        if received and finished and finished < received:
            raise Rejected(
                f"finish_before_receipt: {contract.finished}={payload.get(contract.finished)!s} is "
                f"before {contract.received}={payload.get(contract.received)!s}"
            )
    if contract.change is None:
        changed = file_day_end
    else:
        changed = dates.get(contract.change)
        if contract.change not in dates:
            changed = _parse(payload.get(contract.change), contract.date_format, contract.change)
        if changed is None:
            raise Rejected(f"impossible_date: {contract.change} is empty")
    _check_times(contract, payload, dates, changed, bounds)
    _check_unit(contract, payload, bounds)
    return str(key), changed


def _check_times(contract: EntityContract, payload: dict, dates: dict, changed, bounds: Bounds) -> None:
    """A date no one-stop record can hold, or a change time the system was not asked for, goes to quarantine:
    kept in `raw`, a change time from the future would win every later de-duplication (latest change wins)."""
    latest = bounds.read_at or (bounds.window[1] if bounds.window else None) or changed
    due_limit, event_limit = (latest + DUE_HORIZON, latest + EVENT_SLACK) if latest else (None, None)
    for name, value in dates.items():
        if value is None:
            continue
        if value < EARLIEST:
            raise Rejected(f"implausible_date: {name}={payload.get(name)!s} is before {EARLIEST:%Y}")
        limit = due_limit if name in contract.due else event_limit
        if limit and value > limit:
            raise Rejected(f"implausible_date: {name}={payload.get(name)!s} is after {limit:%Y-%m-%d}")
    if contract.change is None or changed is None:
        return
    shown = f"{contract.change}={payload.get(contract.change)!s}"
    if bounds.read_at and changed > bounds.read_at:
        raise Rejected(f"future_change: {shown} is after the moment the system was read")
    if bounds.window and not bounds.window[0] <= changed < bounds.window[1]:
        raise Rejected(
            f"outside_window: {shown} is outside the requested"
            f" [{bounds.window[0]:%Y-%m-%d %H:%M}, {bounds.window[1]:%Y-%m-%d %H:%M})"
        )


def _check_unit(contract: EntityContract, payload: dict, bounds: Bounds) -> None:
    """A record names one of its system's units: a code from another system's unit would otherwise replace
    that system's record, and a unit no one knows would break every relationship downstream."""
    if not contract.unit or not bounds.units:
        return
    unit = payload.get(contract.unit)
    if unit in bounds.units:
        return
    if bounds.known_units and unit not in bounds.known_units:
        raise Rejected(f"unknown_unit: {contract.unit}={unit!r} is not in units.csv")
    raise Rejected(f"foreign_unit: {contract.unit}={unit!r} is not one of this system's units (registry)")


def missing_columns(kind: str, entity: str, fields) -> list[str]:
    """Contract fields absent from what the system sent: a renamed or dropped column."""
    present = set(fields)
    return [name for name in CONTRACTS[(kind, entity)].required if name not in present]
