"""The demo province: Phú Yên before 1 July 2025, the Phú Yên part of Đắk Lắk after.

Before the restructuring each of the nine district-level units ran its own one-stop system, serving the
district office and its communes. From 1 July 2025 the districts are gone and the communes are merged as
Resolution 1660/NQ-UBTVQH15 (items 55-81 and 89-95) says; in the demo each new commune or ward keeps the system
of the district most of it came from. Unit codes are illustrative, in the contract's shape.

In `NEW_UNITS` a source marked `~` gave only part of itself to that unit; its successor for roll-up is the
unit that took its named remainder (listed without the mark).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RESTRUCTURING = date(2025, 7, 1)
OLD_SINCE = date(2020, 1, 1)  # illustrative: the demo history starts well after it
OLD_PROVINCE = ("H45", "Tỉnh Phú Yên")
NEW_PROVINCE = ("H15", "Tỉnh Đắk Lắk")


@dataclass(frozen=True)
class District:
    system_id: str
    kind: str
    name: str
    seat: str  # the new unit that took the district's seat: its successor for roll-up
    communes: tuple[str, ...]


DISTRICTS: tuple[District, ...] = (
    District(
        "tuyhoa",
        "dvcqg_api",
        "Thành phố Tuy Hòa",
        "Phường Tuy Hòa",
        (
            "Phường 1",
            "Phường 2",
            "Phường 4",
            "Phường 5",
            "Phường 7",
            "Phường 9",
            "Phường Phú Đông",
            "Phường Phú Lâm",
            "Phường Phú Thạnh",
            "Xã An Phú",
            "Xã Hòa Kiến",
            "Xã Bình Kiến",
        ),
    ),
    District(
        "songcau",
        "dvcqg_api",
        "Thị xã Sông Cầu",
        "Phường Sông Cầu",
        (
            "Phường Xuân Yên",
            "Phường Xuân Phú",
            "Phường Xuân Thành",
            "Phường Xuân Đài",
            "Xã Xuân Lâm",
            "Xã Xuân Thọ 1",
            "Xã Xuân Thọ 2",
            "Xã Xuân Bình",
            "Xã Xuân Cảnh",
            "Xã Xuân Hải",
            "Xã Xuân Lộc",
            "Xã Xuân Phương",
            "Xã Xuân Thịnh",
        ),
    ),
    District(
        "donghoa",
        "dvcqg_api",
        "Thị xã Đông Hòa",
        "Phường Đông Hòa",
        (
            "Phường Hòa Vinh",
            "Phường Hòa Xuân Tây",
            "Phường Hòa Hiệp Bắc",
            "Phường Hòa Hiệp Trung",
            "Phường Hòa Hiệp Nam",
            "Xã Hòa Tâm",
            "Xã Hòa Xuân Đông",
            "Xã Hòa Xuân Nam",
            "Xã Hòa Tân Đông",
            "Xã Hòa Thành",
        ),
    ),
    District(
        "tuyan",
        "onegate_db",
        "Huyện Tuy An",
        "Xã Tuy An Bắc",
        (
            "Thị trấn Chí Thạnh",
            "Xã An Dân",
            "Xã An Định",
            "Xã An Ninh Đông",
            "Xã An Ninh Tây",
            "Xã An Thạch",
            "Xã An Hiệp",
            "Xã An Hòa Hải",
            "Xã An Cư",
            "Xã An Thọ",
            "Xã An Mỹ",
            "Xã An Chấn",
            "Xã An Nghiệp",
            "Xã An Xuân",
            "Xã An Lĩnh",
        ),
    ),
    District(
        "phuhoa",
        "onegate_db",
        "Huyện Phú Hòa",
        "Xã Phú Hòa 1",
        (
            "Thị trấn Phú Hòa",
            "Xã Hòa Thắng",
            "Xã Hòa Định Đông",
            "Xã Hòa Định Tây",
            "Xã Hòa Hội",
            "Xã Hòa An",
            "Xã Hòa Quang Nam",
            "Xã Hòa Quang Bắc",
            "Xã Hòa Trị",
        ),
    ),
    District(
        "tayhoa",
        "onegate_db",
        "Huyện Tây Hòa",
        "Xã Tây Hòa",
        (
            "Thị trấn Phú Thứ",
            "Xã Hòa Phong",
            "Xã Hòa Tân Tây",
            "Xã Hòa Bình 1",
            "Xã Hòa Đồng",
            "Xã Hòa Thịnh",
            "Xã Hòa Mỹ Đông",
            "Xã Hòa Mỹ Tây",
            "Xã Hòa Phú",
            "Xã Sơn Thành Đông",
            "Xã Sơn Thành Tây",
        ),
    ),
    District(
        "sonhoa",
        "csv_drop",
        "Huyện Sơn Hòa",
        "Xã Sơn Hòa",
        (
            "Thị trấn Củng Sơn",
            "Xã Suối Bạc",
            "Xã Sơn Hà",
            "Xã Sơn Nguyên",
            "Xã Sơn Phước",
            "Xã Sơn Long",
            "Xã Sơn Xuân",
            "Xã Sơn Định",
            "Xã Sơn Hội",
            "Xã Cà Lúi",
            "Xã Phước Tân",
            "Xã Ea Chà Rang",
            "Xã Krông Pa",
            "Xã Suối Trai",
        ),
    ),
    District(
        "songhinh",
        "csv_drop",
        "Huyện Sông Hinh",
        "Xã Sông Hinh",
        (
            "Thị trấn Hai Riêng",
            "Xã Ea Lâm",
            "Xã Ea Ly",
            "Xã Ea Bar",
            "Xã Ea Bá",
            "Xã Sơn Giang",
            "Xã Đức Bình Đông",
            "Xã Đức Bình Tây",
            "Xã Ea Bia",
            "Xã Ea Trol",
            "Xã Sông Hinh",
        ),
    ),
    District(
        "dongxuan",
        "csv_drop",
        "Huyện Đồng Xuân",
        "Xã Đồng Xuân",
        (
            "Thị trấn La Hai",
            "Xã Đa Lộc",
            "Xã Xuân Lãnh",
            "Xã Xuân Quang 1",
            "Xã Phú Mỡ",
            "Xã Xuân Quang 3",
            "Xã Xuân Phước",
            "Xã Xuân Sơn Nam",
            "Xã Xuân Sơn Bắc",
            "Xã Xuân Long",
            "Xã Xuân Quang 2",
        ),
    ),
)

# New unit -> (system it keeps, its sources). Resolution 1660, Điều 1.
NEW_UNITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Xã Xuân Thọ": ("songcau", ("Xã Xuân Lâm", "Xã Xuân Thọ 1", "Xã Xuân Thọ 2")),  # 55
    "Xã Xuân Cảnh": ("songcau", ("Xã Xuân Bình", "Xã Xuân Cảnh")),  # 56
    "Xã Xuân Lộc": ("songcau", ("Xã Xuân Hải", "Xã Xuân Lộc")),  # 57
    "Xã Hòa Xuân": ("donghoa", ("Xã Hòa Tâm", "Xã Hòa Xuân Đông", "Xã Hòa Xuân Nam")),  # 58
    "Xã Tuy An Bắc": ("tuyan", ("Thị trấn Chí Thạnh", "Xã An Dân", "Xã An Định")),  # 59
    "Xã Tuy An Đông": ("tuyan", ("Xã An Ninh Đông", "Xã An Ninh Tây", "Xã An Thạch")),  # 60
    "Xã Ô Loan": ("tuyan", ("Xã An Hiệp", "Xã An Hòa Hải", "Xã An Cư")),  # 61
    "Xã Tuy An Nam": ("tuyan", ("Xã An Thọ", "Xã An Mỹ", "Xã An Chấn")),  # 62
    "Xã Tuy An Tây": ("tuyan", ("Xã An Nghiệp", "Xã An Xuân", "Xã An Lĩnh")),  # 63
    "Xã Phú Hòa 1": (
        "phuhoa",
        ("Thị trấn Phú Hòa", "Xã Hòa Thắng", "Xã Hòa Định Đông", "Xã Hòa Định Tây", "Xã Hòa Hội", "~Xã Hòa An"),
    ),  # 64
    "Xã Phú Hòa 2": ("phuhoa", ("Xã Hòa Quang Nam", "Xã Hòa Quang Bắc", "~Xã Hòa Trị")),  # 65
    "Xã Tây Hòa": ("tayhoa", ("Thị trấn Phú Thứ", "Xã Hòa Phong", "Xã Hòa Tân Tây", "~Xã Hòa Bình 1")),  # 66
    "Xã Hòa Thịnh": ("tayhoa", ("Xã Hòa Đồng", "Xã Hòa Thịnh")),  # 67
    "Xã Hòa Mỹ": ("tayhoa", ("Xã Hòa Mỹ Đông", "Xã Hòa Mỹ Tây")),  # 68
    "Xã Sơn Thành": ("tayhoa", ("Xã Hòa Phú", "Xã Sơn Thành Đông", "Xã Sơn Thành Tây")),  # 69
    "Xã Sơn Hòa": ("sonhoa", ("Thị trấn Củng Sơn", "Xã Suối Bạc", "Xã Sơn Hà", "Xã Sơn Nguyên", "Xã Sơn Phước")),
    "Xã Vân Hòa": ("sonhoa", ("Xã Sơn Long", "Xã Sơn Xuân", "Xã Sơn Định")),  # 71
    "Xã Tây Sơn": ("sonhoa", ("Xã Sơn Hội", "Xã Cà Lúi", "Xã Phước Tân")),  # 72
    "Xã Suối Trai": ("sonhoa", ("Xã Ea Chà Rang", "Xã Krông Pa", "Xã Suối Trai")),  # 73
    "Xã Ea Ly": ("songhinh", ("Xã Ea Lâm", "Xã Ea Ly", "~Xã Ea Bar")),  # 74
    "Xã Ea Bá": ("songhinh", ("Xã Ea Bá", "Xã Ea Bar")),  # 75
    "Xã Đức Bình": ("songhinh", ("Xã Sơn Giang", "Xã Đức Bình Đông", "Xã Đức Bình Tây", "~Xã Ea Bia")),  # 76
    "Xã Sông Hinh": ("songhinh", ("Thị trấn Hai Riêng", "Xã Ea Trol", "Xã Sông Hinh", "Xã Ea Bia")),  # 77
    "Xã Xuân Lãnh": ("dongxuan", ("Xã Đa Lộc", "Xã Xuân Lãnh")),  # 78
    "Xã Phú Mỡ": ("dongxuan", ("Xã Xuân Quang 1", "Xã Phú Mỡ")),  # 79
    "Xã Xuân Phước": ("dongxuan", ("Xã Xuân Quang 3", "Xã Xuân Phước")),  # 80
    "Xã Đồng Xuân": (
        "dongxuan",
        ("Thị trấn La Hai", "Xã Xuân Sơn Nam", "Xã Xuân Sơn Bắc", "Xã Xuân Long", "Xã Xuân Quang 2"),
    ),  # 81
    "Phường Phú Yên": (
        "tuyhoa",
        (
            "Phường Phú Đông",
            "Phường Phú Lâm",
            "Phường Phú Thạnh",
            "Xã Hòa Thành",
            "~Phường Hòa Hiệp Bắc",
            "Xã Hòa Bình 1",
        ),
    ),  # 89
    "Phường Tuy Hòa": (
        "tuyhoa",
        ("Phường 1", "Phường 2", "Phường 4", "Phường 5", "Phường 7", "~Phường 9", "Xã Hòa An", "Xã Hòa Trị"),
    ),  # 90
    "Phường Bình Kiến": ("tuyhoa", ("Xã An Phú", "Xã Hòa Kiến", "Xã Bình Kiến", "Phường 9")),  # 91
    "Phường Xuân Đài": ("songcau", ("Phường Xuân Thành", "Phường Xuân Đài")),  # 92
    "Phường Sông Cầu": ("songcau", ("Phường Xuân Yên", "Phường Xuân Phú", "Xã Xuân Phương", "Xã Xuân Thịnh")),
    "Phường Đông Hòa": ("donghoa", ("Phường Hòa Vinh", "Phường Hòa Xuân Tây", "Xã Hòa Tân Đông")),  # 94
    "Phường Hòa Hiệp": ("donghoa", ("Phường Hòa Hiệp Trung", "Phường Hòa Hiệp Nam", "Phường Hòa Hiệp Bắc")),  # 95
}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str  # district | commune
    system_id: str
    valid_from: date
    valid_to: date | None  # last day it existed
    successor_code: str | None
    weight: float  # share of its system's dossiers while it exists


def build_units() -> list[Unit]:
    """Every unit of the demo province, old and new, with codes and successors."""
    new_codes = {name: f"000.{i + 1:02d}.60.{NEW_PROVINCE[0]}" for i, name in enumerate(NEW_UNITS)}
    successor_of: dict[str, str] = {}
    for new_name, (_, sources) in NEW_UNITS.items():
        for source in sources:
            if not source.startswith("~"):
                successor_of[source] = new_codes[new_name]
    last_day = date(2025, 6, 30)
    units: list[Unit] = []
    for d_index, district in enumerate(DISTRICTS):
        district_code = f"000.00.{21 + d_index}.{OLD_PROVINCE[0]}"
        units.append(
            Unit(
                district_code,
                district.name,
                "district",
                district.system_id,
                OLD_SINCE,
                last_day,
                new_codes[district.seat],
                4.0,
            )
        )
        for c_index, commune in enumerate(district.communes):
            # The first commune listed is the district town or its central ward: a busier office.
            weight = 1.6 if c_index == 0 else 0.6 + (c_index * 37 % 9) / 10
            units.append(
                Unit(
                    f"000.{c_index + 1:02d}.{21 + d_index}.{OLD_PROVINCE[0]}",
                    commune,
                    "commune",
                    district.system_id,
                    OLD_SINCE,
                    last_day,
                    successor_of[commune],
                    weight,
                )
            )
    for new_name, (system_id, sources) in NEW_UNITS.items():
        units.append(
            Unit(
                new_codes[new_name], new_name, "commune", system_id, RESTRUCTURING, None, None, 1.0 + 0.5 * len(sources)
            )
        )
    return units


def unit_exists(unit: Unit, day: date) -> bool:
    return unit.valid_from <= day and (unit.valid_to is None or day <= unit.valid_to)
