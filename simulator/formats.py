"""The three contracts of district-systems.md: a record's state as of a moment, rendered as each kind sends it.

Status codes are the national ten (1-10). `dvcqg_api` sends every scalar as a string and dates as
`yyyyMMddHHmmss` ("" when missing); `onegate_db` uses English columns and vendor status words; `csv_drop` uses
Vietnamese headers and texts and `dd/MM/yyyy HH:mm`.
"""

from __future__ import annotations

from datetime import datetime

from onestop.vocabulary import (  # noqa: F401 (re-exported for the simulator's users)
    CSV_CATEGORY,
    CSV_CHANNEL,
    CSV_FEEDBACK_STATUS,
    CSV_HOSO_COLUMNS,
    CSV_PHANANH_COLUMNS,
    CSV_STATUS,
    ONEGATE_FEEDBACK_STATUS,
    ONEGATE_STATUS,
)
from simulator.model import Dossier, Feedback, FeedbackState


def api_time(moment: datetime | None) -> str:
    return moment.strftime("%Y%m%d%H%M%S") if moment else ""


def csv_time(moment: datetime | None) -> str:
    return moment.strftime("%d/%m/%Y %H:%M") if moment else ""


class DossierState:
    """A dossier as its system shows it at `moment` (which must be at or after its receipt)."""

    def __init__(self, dossier: Dossier, moment: datetime):
        self.d = dossier
        self.steps = dossier.steps_until(moment)
        self.status = self.steps[-1].status
        self.updated = self.steps[-1].at
        self.finished = dossier.first_time(9, moment)
        self.stopped = dossier.first_time(8, moment)
        self.returned = dossier.first_time(10, moment)
        self.supplements = [s for s in dossier.supplements if s.requested <= moment]
        self.returned_supplement = {
            id(s): s.returned if s.returned and s.returned <= moment else None for s in self.supplements
        }
        self.result = dossier.result if self.finished or self.returned else None

    @property
    def processing_end(self) -> datetime | None:
        return self.finished or self.stopped

    def supplement_returned(self, supplement) -> datetime | None:
        return self.returned_supplement[id(supplement)]


def dvcqg_hoso(state: DossierState) -> dict:
    d = state.d
    return {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure.code,
        "TenTTHC": d.procedure.name,
        "MaLinhVuc": d.procedure.field_code,
        "TenLinhVuc": d.procedure.field_name,
        "MaDonViTiepNhan": d.unit_code,
        "KenhThucHien": str(d.channel),
        "MucDoDVC": str(d.procedure.online_level),
        "ChuHoSo": d.applicant_name,
        "SoDinhDanh": d.applicant_id,
        "SoDienThoai": d.applicant_phone,
        "Email": d.applicant_email,
        "LoaiDoiTuong": str(d.applicant_type),
        "NgayTiepNhan": api_time(d.received),
        "NgayHenTra": api_time(d.due),
        "TrangThaiHoSo": str(state.status),
        "NgayKetThucXuLy": api_time(state.processing_end),
        "NgayTra": api_time(state.returned),
        "HoSoCoThanhPhanSoHoa": "1" if d.digitized else "0",
        "DuocThanhToanTrucTuyen": str(d.paid_online),
        "TaiLieuNop": [
            {"TenTepDinhKem": name, "DuocSoHoa": "1" if digitized else "0", "DuocLayTuKhoDMQG": "1" if reused else "0"}
            for name, digitized, reused in d.inputs
        ],
        "DanhSachHoSoBoSung": [
            {
                "NgayYeuCau": api_time(s.requested),
                "NgayTiepNhanBoSung": api_time(state.supplement_returned(s)),
                "NgayHenTraTruoc": api_time(s.old_due),
                "NgayHenTraMoi": api_time(s.new_due if state.supplement_returned(s) else None),
            }
            for s in state.supplements
        ],
        "DanhSachGiayToKetQua": [
            {
                "TenGiayTo": state.result[0],
                "MaGiayToKetQua": state.result[1] or "",
                "DuongDanTepTinKetQua": state.result[2] or "",
            }
        ]
        if state.result
        else [],
        "QuaTrinhXuLy": [
            {
                "ThoiDiemXuLy": api_time(s.at),
                "NguoiXuLy": s.handler,
                "ChucDanh": s.title,
                "PhongBanXuLy": s.department,
                "NoiDungXuLy": s.note,
                "TrangThai": str(s.status),
            }
            for s in state.steps
        ],
        "NgayCapNhat": api_time(state.updated),
    }


def dvcqg_pakn(item: Feedback, state: FeedbackState) -> dict:
    return {
        "MaPAKN": item.code,
        "MaDonVi": state.unit_code,
        "PhanLoai": str(item.category),
        "TieuDe": item.title,
        "NoiDung": item.body,
        "HoTen": item.reporter_name,
        "SoDienThoai": item.reporter_phone,
        "NgayGui": api_time(item.sent),
        "NgayTiepNhan": api_time(state.intake),
        "NgayXuLy": api_time(state.answered),
        "NgayCongKhai": api_time(state.published),
        "TrangThai": str(state.status),
        "NgayCapNhat": api_time(state.at),
    }


def onegate_rows(state: DossierState) -> tuple[tuple, list[tuple], list[tuple], list[tuple]]:
    """(dossier row, result rows, action rows, supplement rows) in the vendor's column order."""
    d = state.d
    dossier = (
        d.number,
        d.code,
        d.procedure.code,
        d.procedure.name,
        d.procedure.field_code,
        d.unit_code,
        d.channel,
        d.procedure.online_level,
        d.applicant_name,
        d.applicant_id,
        d.applicant_phone,
        d.applicant_type,
        d.received,
        d.due,
        state.processing_end,
        state.returned,
        ONEGATE_STATUS[state.status],
        d.digitized,
        d.paid_online,
        state.updated,
    )
    results = [(d.number, *state.result)] if state.result else []
    actions = [
        (d.number * 100 + i, d.number, s.at, s.handler, s.title, s.department, s.note, ONEGATE_STATUS[s.status])
        for i, s in enumerate(state.steps)
    ]
    supplements = [
        (
            d.number * 10 + i,
            d.number,
            s.requested,
            state.supplement_returned(s),
            s.old_due,
            s.new_due if state.supplement_returned(s) else None,
        )
        for i, s in enumerate(state.supplements)
    ]
    return dossier, results, actions, supplements


def onegate_feedback_row(item: Feedback, state: FeedbackState) -> tuple:
    return (
        item.number,
        state.unit_code,
        item.category,
        item.title,
        item.body,
        item.reporter_name,
        item.reporter_phone,
        item.sent,
        state.intake,
        state.answered,
        state.published,
        ONEGATE_FEEDBACK_STATUS[state.status],
        state.at,
    )


def csv_hoso_row(state: DossierState) -> list[str]:
    d = state.d
    latest = state.supplements[-1] if state.supplements else None
    holder = state.steps[-1]
    return [
        d.code,
        d.procedure.code,
        d.procedure.name,
        d.procedure.field_code,
        d.unit_code,
        CSV_CHANNEL[d.channel],
        str(d.procedure.online_level),
        d.applicant_name,
        d.applicant_id,
        d.applicant_phone,
        csv_time(d.received),
        csv_time(d.due),
        csv_time(state.processing_end),
        csv_time(state.returned),
        CSV_STATUS[state.status],
        "Có" if d.digitized else "Không",
        "Có" if d.paid_online else "Không",
        (state.result[2] or "") if state.result else "",
        str(len(state.supplements)),
        csv_time(latest.requested if latest else None),
        csv_time(state.supplement_returned(latest) if latest else None),
        holder.handler,
        holder.department,
    ]


def csv_phananh_row(item: Feedback, state: FeedbackState) -> list[str]:
    return [
        item.code,
        state.unit_code,
        CSV_CATEGORY[item.category],
        item.title,
        item.reporter_name,
        item.reporter_phone,
        csv_time(item.sent),
        csv_time(state.intake),
        csv_time(state.answered),
        csv_time(state.published),
        CSV_FEEDBACK_STATUS[state.status],
    ]
