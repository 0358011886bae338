"""Records as the contract's kinds send them (district-systems.md), shared by the unit tests."""

from __future__ import annotations

HOSO = {
    "MaHoSo": "000.21.33.H45-250601-0001",
    "MaTTHC": "1.004873",
    "MaDonViTiepNhan": "000.21.33.H45",
    "KenhThucHien": "2",
    "NgayTiepNhan": "20250601080000",
    "NgayHenTra": "20250604170000",
    "TrangThaiHoSo": "4",
    "NgayKetThucXuLy": "",
    "NgayCapNhat": "20250601090000",
    "QuaTrinhXuLy": [],
}
