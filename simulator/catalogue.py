"""The demo procedure catalogue: national-style codes, fields, statutory working days, cut-offs, fees.

Codes are illustrative (`d.dddddd`), shaped like the national procedure database's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field_code: str
    field_name: str
    statutory_days: int
    cutoff: time | None
    has_fee: bool
    issues_result: bool
    online_level: int
    weight: float  # relative demand


def _p(code, name, field, days, cutoff, fee, result, level, weight):
    return Procedure(code, name, field, FIELDS[field], days, cutoff, fee, result, level, weight)


FIELDS = {
    "G01": "Hộ tịch",
    "G02": "Chứng thực",
    "G03": "Đất đai",
    "G04": "Xây dựng",
    "G05": "Thành lập và hoạt động của hộ kinh doanh",
    "G06": "Bảo trợ xã hội",
    "G07": "Người có công",
    "G08": "Giáo dục và Đào tạo",
    "G09": "Văn hóa cơ sở",
    "G10": "Nông nghiệp",
}
H15 = time(15, 0)

PROCEDURES: tuple[Procedure, ...] = (
    _p("1.001193", "Đăng ký khai sinh", "G01", 0, H15, False, True, 4, 9.0),
    _p("1.000656", "Đăng ký khai tử", "G01", 0, H15, False, True, 4, 2.5),
    _p("1.000894", "Đăng ký kết hôn", "G01", 0, H15, False, True, 3, 2.0),
    _p("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "G01", 3, None, True, True, 4, 4.0),
    _p("1.004884", "Đăng ký lại khai sinh", "G01", 5, None, True, True, 3, 0.8),
    _p("1.001022", "Trích lục hộ tịch (cấp bản sao)", "G01", 0, H15, True, True, 4, 3.0),
    _p("2.000815", "Chứng thực bản sao từ bản chính", "G02", 0, H15, True, True, 2, 10.0),
    _p("2.000884", "Chứng thực chữ ký", "G02", 0, H15, True, True, 2, 3.0),
    _p("2.001035", "Chứng thực hợp đồng, giao dịch", "G02", 2, None, True, True, 2, 1.5),
    _p("1.004227", "Đăng ký biến động quyền sử dụng đất", "G03", 10, None, True, True, 3, 3.5),
    _p("1.004221", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "G03", 30, None, True, True, 3, 1.2),
    _p("1.003010", "Tách thửa hoặc hợp thửa đất", "G03", 15, None, True, True, 3, 1.0),
    _p("1.004193", "Chuyển mục đích sử dụng đất", "G03", 20, None, True, True, 3, 0.6),
    _p("1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "G04", 15, None, True, True, 4, 1.8),
    _p("1.009993", "Cấp giấy phép sửa chữa, cải tạo công trình", "G04", 15, None, True, True, 3, 0.4),
    _p("2.000575", "Đăng ký thành lập hộ kinh doanh", "G05", 3, None, True, True, 4, 2.2),
    _p("2.000720", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "G05", 3, None, True, True, 4, 1.0),
    _p("2.000604", "Tạm ngừng kinh doanh hộ kinh doanh", "G05", 3, None, False, False, 4, 0.5),
    _p("1.001776", "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội", "G06", 20, None, False, True, 3, 1.0),
    _p("1.001758", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội", "G06", 5, None, False, True, 3, 0.6),
    _p("1.010805", "Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình", "G06", 7, None, False, True, 3, 0.7),
    _p("1.002519", "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ", "G07", 12, None, False, True, 3, 0.3),
    _p("1.010940", "Cấp giấy xác nhận thân nhân của người có công", "G07", 5, None, False, True, 3, 0.4),
    _p("1.001622", "Chuyển trường đối với học sinh tiểu học", "G08", 3, None, False, False, 4, 0.5),
    _p("1.005108", "Xét, công nhận gia đình văn hóa", "G09", 5, None, False, False, 2, 0.4),
    _p("1.003605", "Thông báo tổ chức lễ hội cấp xã", "G09", 5, None, False, False, 3, 0.2),
    _p("1.008004", "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai", "G10", 10, None, False, True, 3, 0.4),
    _p("1.003398", "Xác nhận nguồn gốc gỗ, lâm sản khai thác", "G10", 3, None, False, True, 2, 0.3),
)

# Dossiers whose procedure the catalogue does not list: kept and flagged by the warehouse, never dropped.
UNLISTED = Procedure("1.999901", "Thủ tục đặc thù của địa phương", "G09", FIELDS["G09"], 5, None, False, True, 2, 0.0)

BY_CODE = {p.code: p for p in PROCEDURES}
