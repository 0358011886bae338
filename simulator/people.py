"""Fake but real-shaped personal data and staff: Vietnamese names with diacritics, 12-digit citizen ID
numbers (Phú Yên's prefix 054), mobile numbers, e-mails. Deterministic from the caller's random generator."""

from __future__ import annotations

import random
import unicodedata

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Đinh",
    "Lương",
    "Mai",
    "Tô",
    "Đoàn",
)
MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Ngọc")
MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Mỹ", "Kim", "Bích", "Hồng")
GIVEN_M = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Hải",
    "Hiếu",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
)
GIVEN_F = (
    "Anh",
    "Ánh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hằng",
    "Hoa",
    "Hồng",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngân",
    "Nhung",
    "Phương",
    "Thảo",
    "Trang",
    "Yến",
)
BUSINESS = ("Hộ kinh doanh", "Công ty TNHH", "Công ty Cổ phần", "Hợp tác xã")
TRADES = (
    "Thương mại Sông Ba",
    "Xây dựng Đà Rằng",
    "Thủy sản Vũng Rô",
    "Nông sản Ô Loan",
    "Dịch vụ Xuân Đài",
    "Vận tải Tuy Hòa",
    "Du lịch Gành Đá Đĩa",
    "Cơ khí Phú Lâm",
)
MOBILE_PREFIXES = (
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "032",
    "033",
    "035",
    "036",
    "038",
    "039",
    "077",
    "079",
    "081",
    "083",
    "085",
)


def person_name(rng: random.Random) -> str:
    female = rng.random() < 0.5
    return " ".join(
        (rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M), rng.choice(GIVEN_F if female else GIVEN_M))
    )


def business_name(rng: random.Random) -> str:
    return f"{rng.choice(BUSINESS)} {rng.choice(TRADES)}"


def citizen_id(rng: random.Random) -> str:
    # 3 digits province of birth, 1 digit sex and century, 2 digits year of birth, 6 random digits.
    return (
        f"054{rng.choice('0123')}{rng.randint(40, 99) if rng.random() < 0.85 else rng.randint(0, 6):02d}"
        f"{rng.randrange(10**6):06d}"
    )


def tax_code(rng: random.Random) -> str:
    return f"44{rng.randrange(10**8):08d}"


def phone(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"


def ascii_fold(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def email(rng: random.Random, name: str) -> str:
    parts = ascii_fold(name).lower().split()
    return f"{parts[-1]}{parts[0]}{rng.randint(1, 999)}@gmail.com"


def staff(rng: random.Random, departments: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """A unit's officials by department: (name, title), the head first."""
    roster = {}
    for department in departments:
        head = (person_name(rng), "Trưởng phòng" if department.startswith("Phòng") else "Phó Chánh Văn phòng")
        roster[department] = [head] + [(person_name(rng), "Chuyên viên") for _ in range(2)]
    return roster
