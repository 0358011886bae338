"""How dossiers and feedback move: the simulator's event model.

Every unit-day's arrivals come from their own random stream (seeded by seed, unit and day), so any day can be
regenerated alone, in any order, with the same result: systems are advanced night by night and ground truth
is computed without keeping the world in memory. Everything a record will ever do is decided at birth and
happens within `LIFETIME` of its receipt; its state as of a moment is the prefix of its timeline.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from simulator import calendar, people
from simulator.catalogue import PROCEDURES, UNLISTED, Procedure
from simulator.province import Unit, unit_exists

LIFETIME = timedelta(days=150)
# Source habits metrics.md rules on, drawn apart from the random streams (so adding one changes no other record):
# a hand-over recorded without the finish before it (the dossier ends at its hand-over), and a withdrawn dossier
# whose history moves on (it stays withdrawn).
UNRECORDED_FINISH = 0.03  # of dossiers handed over
HISTORY_AFTER_WITHDRAWAL = 0.25  # of withdrawn dossiers
DESK = "Bộ phận Một cửa"
OLD_DEPARTMENTS = (
    "Phòng Tư pháp",
    "Phòng Tài nguyên và Môi trường",
    "Phòng Kinh tế và Hạ tầng",
    "Phòng Lao động - Thương binh và Xã hội",
    "Văn phòng HĐND và UBND",
)
NEW_DEPARTMENTS = ("Phòng Kinh tế", "Phòng Văn hóa - Xã hội", "Văn phòng HĐND và UBND")
FIELD_DEPARTMENT = {"G01": 0, "G02": 0, "G03": 1, "G04": 2, "G05": 2, "G06": 3, "G07": 3, "G08": 3, "G09": 4, "G10": 2}
NEW_FIELD_DEPARTMENT = {
    "G01": 2,
    "G02": 2,
    "G03": 0,
    "G04": 0,
    "G05": 0,
    "G06": 1,
    "G07": 1,
    "G08": 1,
    "G09": 1,
    "G10": 0,
}


@dataclass(slots=True)
class Step:
    """One processing-history entry (QuaTrinhXuLy / dossier_action)."""

    at: datetime
    status: int
    handler: str
    title: str
    department: str
    note: str


def _step_time(step: Step) -> datetime:
    return step.at


def quirk(seed: int, name: str, code: str) -> float:
    """A uniform draw in [0, 1) fixed by the seed, the habit and the record, outside every random stream."""
    return zlib.crc32(f"{seed}:{name}:{code}".encode()) / 2**32


@dataclass(slots=True)
class Supplement:
    requested: datetime
    returned: datetime | None
    old_due: datetime | None
    new_due: datetime | None


@dataclass(slots=True)
class Dossier:
    code: str
    number: int  # a stable integer id (the vendor database's primary key)
    system_id: str
    unit_code: str
    procedure: Procedure
    channel: int  # 1 in person, 2 online, 3 postal
    applicant_type: int
    applicant_name: str
    applicant_id: str
    applicant_phone: str
    applicant_email: str
    received: datetime
    due: datetime | None  # as the system shows it; None: no deadline given
    digitized: bool
    paid_online: int  # 0, 1 (DVCQG) or 2 (the province's gateway)
    reused: bool
    inputs: list[tuple[str, bool, bool]]  # name, digitized, reused from the citizen's data store
    result: tuple[str, str | None, str | None] | None  # name, code, link; exists from the finish (or hand-over) on
    steps: list[Step]
    supplements: list[Supplement] = field(default_factory=list)

    def steps_until(self, moment: datetime) -> list[Step]:
        return self.steps[: bisect.bisect_right(self.steps, moment, key=_step_time)]

    def first_time(self, status: int, moment: datetime | None = None) -> datetime | None:
        for step in self.steps:
            if moment is not None and step.at > moment:
                return None
            if step.status == status:
                return step.at
        return None

    @property
    def last_change(self) -> datetime:
        return self.steps[-1].at


@dataclass(slots=True)
class FeedbackState:
    at: datetime
    status: int
    unit_code: str
    intake: datetime | None
    answered: datetime | None
    published: datetime | None


@dataclass(slots=True)
class Feedback:
    code: str
    number: int
    system_id: str
    category: int
    title: str
    body: str
    reporter_name: str
    reporter_phone: str
    sent: datetime
    states: list[FeedbackState]

    def state_at(self, moment: datetime) -> FeedbackState | None:
        found = None
        for state in self.states:
            if state.at > moment:
                break
            found = state
        return found


@dataclass(frozen=True)
class Profile:
    """How a unit behaves: what makes rankings differ."""

    late: float
    stuck: float
    online: float
    digitized: float
    paid_online: float
    e_result: float
    reuse: float
    feedback_late: float


def profile_for(unit: Unit, kind: str, seed: int) -> Profile:
    rng = random.Random(f"{seed}:profile:{unit.code}")
    return Profile(
        late=rng.uniform(0.01, 0.18),
        stuck=rng.uniform(0.0, 0.03),
        online=rng.uniform(0.25, 0.75),
        digitized=rng.uniform(0.45, 0.97),
        paid_online=rng.uniform(0.15, 0.7),
        e_result=rng.uniform(0.4, 0.98),
        # Only the DVCQG-shaped systems record reuse of the citizen's data store.
        reuse=rng.uniform(0.1, 0.6) if kind == "dvcqg_api" else 0.0,
        feedback_late=rng.uniform(0.0, 0.3),
    )


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    threshold, k, product = math.exp(-lam), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k


def _office_time(rng: random.Random, day: date, earliest: time = calendar.OPENING) -> datetime:
    start = earliest.hour * 60 + earliest.minute
    end = 16 * 60 + 50
    minute = rng.randint(min(start, end), end)
    return datetime.combine(day, time(minute // 60, minute % 60))


def _later_working_time(rng: random.Random, after: datetime, min_days: int, max_days: int) -> datetime:
    day = calendar.add_working_days(after.date(), rng.randint(min_days, max_days))
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
    if day == after.date():
        return max(after + timedelta(minutes=rng.randint(10, 90)), _office_time(rng, day))
    return _office_time(rng, day)


def _tet_dates() -> list[date]:
    return sorted(day for day, name in calendar.public_holidays().items() if name == "Lunar New Year")


def seasonality(day: date) -> float:
    """The Tết lull (two weeks either side of the lunar new year) and the month-end rush."""
    for tet in _tet_dates():
        gap = abs((day - tet).days)
        if gap <= 14:
            return 0.45 + 0.04 * gap
    factor = 1.0
    if (day + timedelta(days=3)).month != day.month:
        factor *= 1.35
    return factor


@dataclass
class Office:
    """Everything constant about a unit while generating: staff, catalogue weights, profile."""

    unit: Unit
    kind: str
    profile: Profile
    roster: dict[str, list[tuple[str, str]]]
    departments: tuple[str, ...]
    index: int

    @classmethod
    def build(cls, unit: Unit, kind: str, seed: int, index: int) -> Office:
        departments = NEW_DEPARTMENTS if unit.valid_to is None else OLD_DEPARTMENTS
        rng = random.Random(f"{seed}:staff:{unit.code}")
        roster = people.staff(rng, (DESK, *departments))
        return cls(unit, kind, profile_for(unit, kind, seed), roster, departments, index)

    def department_for(self, procedure: Procedure) -> str:
        mapping = NEW_FIELD_DEPARTMENT if self.unit.valid_to is None else FIELD_DEPARTMENT
        return self.departments[mapping.get(procedure.field_code, 0) % len(self.departments)]


# The review chain inside a department: (share of the way to the end, note, by the head, optional).
REVIEWS = (
    (0.12, "Chuyên viên thụ lý hồ sơ", False, False),
    (0.25, "Xin ý kiến phối hợp", False, True),
    (0.4, "Trình lãnh đạo phòng", False, False),
    (0.6, "Lãnh đạo phòng duyệt", True, False),
    (0.85, "Trình lãnh đạo UBND ký", True, False),
)
_CUM_WEIGHTS = list(itertools.accumulate(p.weight for p in PROCEDURES))


class DossierFactory:
    """Generates one unit-day's dossiers."""

    def __init__(self, office: Office, seed: int, rate: float):
        self.office = office
        self.seed = seed
        self.rate = rate  # expected accepted-or-not dossiers on an ordinary working day

    def for_day(self, day: date) -> list[Dossier]:
        office = self.office
        if not unit_exists(office.unit, day):
            return []
        rng = random.Random(f"{self.seed}:dossiers:{office.unit.code}:{day.isoformat()}")
        working = calendar.is_working_day(day)
        lam = self.rate * seasonality(day) * (1.0 if working else 0.06)
        count = _poisson(rng, lam)
        dossiers = [self._one(rng, day, seq, working) for seq in range(count)]
        dossiers.sort(key=lambda d: (d.received, d.code))
        return dossiers

    # -- one dossier --------------------------------------------------------------------------------------
    def _one(self, rng: random.Random, day: date, seq: int, working: bool) -> Dossier:
        office, profile = self.office, self.office.profile
        procedure = UNLISTED if rng.random() < 0.002 else rng.choices(PROCEDURES, cum_weights=_CUM_WEIGHTS)[0]
        online_possible = procedure.online_level >= 3
        roll = rng.random()
        if not working or online_possible and roll < profile.online * (1.15 if procedure.online_level == 4 else 0.8):
            channel = 2
        elif roll > 0.97:
            channel = 3
        else:
            channel = 1
        if not online_possible and channel == 2:
            procedure = rng.choice([p for p in PROCEDURES if p.online_level >= 3])
        if channel == 2 and rng.random() < 0.3:
            minute = rng.randint(0, 24 * 60 - 1)
            received = datetime.combine(day, time(minute // 60, minute % 60))
        else:
            received = _office_time(rng, day)

        applicant_type = 1 if rng.random() < 0.9 else (2 if rng.random() < 0.8 else 4)
        if applicant_type == 1:
            name, id_no = people.person_name(rng), people.citizen_id(rng)
        else:
            name, id_no = people.business_name(rng), people.tax_code(rng)
        if office.kind == "dvcqg_api" and rng.random() < 0.01:
            id_no = "000000001"  # a placeholder some systems send instead of the number
        email = people.email(rng, name) if rng.random() < 0.25 else ""
        code = f"{office.unit.code}-{received:%y%m%d}-{seq:04d}"
        number = office.index * 10**9 + (day - date(2000, 1, 1)).days * 10**4 + seq

        digitized = rng.random() < profile.digitized
        reused = rng.random() < profile.reuse
        inputs = [("Tờ khai.pdf", digitized, False), ("Giấy tờ tùy thân.pdf", digitized, reused)]
        if rng.random() < 0.4:
            inputs.append(("Giấy tờ chứng minh.pdf", digitized and rng.random() < 0.8, False))
        paid_online = 0
        if procedure.has_fee and rng.random() < profile.paid_online:
            paid_online = 1 if rng.random() < 0.6 else 2

        dossier = Dossier(
            code=code,
            number=number,
            system_id=office.unit.system_id,
            unit_code=office.unit.code,
            procedure=procedure,
            channel=channel,
            applicant_type=applicant_type,
            applicant_name=name,
            applicant_id=id_no,
            applicant_phone=people.phone(rng),
            applicant_email=email,
            received=received,
            due=None,
            digitized=digitized,
            paid_online=paid_online,
            reused=reused,
            inputs=inputs,
            result=None,
            steps=[],
        )
        self._life(rng, dossier)
        horizon = received + LIFETIME
        if dossier.steps[-1].at > horizon:
            dossier.steps = [s for s in dossier.steps if s.at <= horizon]
            dossier.supplements = [s for s in dossier.supplements if s.requested <= horizon]
            for supplement in dossier.supplements:
                if supplement.returned and supplement.returned > horizon:
                    supplement.returned = None
            if dossier.first_time(9) is None and dossier.first_time(10) is None:
                dossier.result = None
        return dossier

    def _person(self, rng: random.Random, department: str, lead: bool = False) -> tuple[str, str]:
        roster = self.office.roster[department]
        return roster[0] if lead else rng.choice(roster[1:])

    def _step(self, rng, dossier, at, status, department, note, lead=False) -> None:
        handler, title = self._person(rng, department, lead)
        if self.office.kind == "dvcqg_api" and rng.random() < 0.01:
            handler = "Chuyên viên"  # a placeholder instead of the official's name
        dossier.steps.append(Step(at, status, handler, title, department, note))

    def _life(self, rng: random.Random, d: Dossier) -> None:
        office, profile, procedure = self.office, self.office.profile, d.procedure
        department = office.department_for(procedure)
        received = d.received
        if d.channel == 2 and rng.random() < 0.006:
            self._step(rng, d, received, 1, DESK, "Đăng ký trực tuyến")
            return
        if rng.random() < 0.01:
            if d.channel == 2:
                self._step(rng, d, received, 1, DESK, "Đăng ký trực tuyến")
            self._step(rng, d, received + timedelta(minutes=rng.randint(20, 240)), 3, DESK, "Từ chối tiếp nhận")
            return

        statutory_due = calendar.due_after(received, procedure.statutory_days, procedure.cutoff)
        # Some systems leave the appointment empty; the statutory time then applies (never for an unlisted
        # procedure, whose statutory time nobody downstream could know).
        d.due = None if rng.random() < 0.04 and procedure is not UNLISTED else statutory_due
        start = calendar.clock_start(received, procedure.cutoff)
        self._step(rng, d, received, 2, DESK, "Tiếp nhận hồ sơ")
        forward = max(received, start) + timedelta(minutes=rng.randint(15, 180))
        self._step(rng, d, forward, 4, department, "Chuyển phòng chuyên môn thụ lý")

        # Where processing would end without pauses (the adjusted end), in working days from the clock start.
        roll = rng.random()
        if roll < profile.stuck:
            offset = procedure.statutory_days + rng.randint(15, 70)
        elif roll < profile.stuck + profile.late:
            offset = procedure.statutory_days + 1 + int(rng.expovariate(0.45))
        else:
            offset = rng.randint(0, procedure.statutory_days) if rng.random() < 0.6 else procedure.statutory_days
        end_day = calendar.add_working_days(start.date(), offset)
        base_end = _office_time(
            rng,
            end_day,
            earliest=(forward + timedelta(minutes=5)).time() if end_day == forward.date() else calendar.OPENING,
        )
        base_end = max(base_end, forward + timedelta(minutes=10))

        outcome = rng.random()
        if outcome < 0.012:  # withdrawn by the applicant somewhere on the way
            at = forward + (base_end - forward) * rng.random() + timedelta(minutes=5)
            self._step(rng, d, at, 7, DESK, "Công dân rút hồ sơ")
            if quirk(self.seed, "history_after_withdrawal", d.code) < HISTORY_AFTER_WITHDRAWAL:
                # On a later working day (so even a csv system's nightly file shows the withdrawal first).
                resumed = random.Random(f"{self.seed}:resumed:{d.code}")
                day = calendar.add_working_days(at.date(), resumed.randint(1, 5))
                handler, title = office.roster[department][1]
                d.steps.append(Step(_office_time(resumed, day), 4, handler, title, department, "Tiếp tục xử lý"))
            return

        # Supplement requests: mostly none, some one, a few two. Each pauses the clock for whole days.
        n_requests = 0 if rng.random() < 0.86 else (1 if rng.random() < 0.8 else 2)
        span = base_end - forward
        timeline = [
            (fraction, note, lead) for fraction, note, lead, optional in REVIEWS if not optional or rng.random() < 0.5
        ]
        timeline += [(rng.uniform(0.1, 0.9), "", False) for _ in range(n_requests)]
        timeline.sort()
        shift = timedelta(0)
        due_now = d.due
        for index, (fraction, note, lead) in enumerate(timeline):
            # Officials act in office hours; never after the end they lead to.
            moment = calendar.clock_start(forward + span * fraction)
            if moment.time() == calendar.OPENING:
                moment += timedelta(minutes=rng.randint(5, 150))
            moment = min(moment, base_end - timedelta(minutes=1))
            real = max(moment + shift, d.steps[-1].at + timedelta(minutes=1))
            if note:
                self._step(rng, d, real, 4, department, note, lead=lead)
                continue
            self._step(rng, d, real, 5, department, "Yêu cầu bổ sung hồ sơ")
            pending = rng.random() < 0.12 and index == len(timeline) - 1 or rng.random() < 0.03
            if pending:
                d.supplements.append(Supplement(real, None, due_now, None))
                return
            pause = timedelta(days=rng.randint(1, 7))
            new_due = due_now + pause if due_now else None
            d.supplements.append(Supplement(real, real + pause, due_now, new_due))
            due_now = new_due
            shift += pause
            self._step(rng, d, real + pause, 4, DESK, "Tiếp nhận hồ sơ bổ sung")

        end = max(base_end + shift, d.steps[-1].at + timedelta(minutes=1))
        if procedure.has_fee and rng.random() < 0.15:
            at = max(d.steps[-1].at + timedelta(minutes=5), end - (end - forward) * 0.1)
            self._step(rng, d, at, 6, department, "Yêu cầu thực hiện nghĩa vụ tài chính")
            self._step(
                rng, d, at + timedelta(minutes=rng.randint(30, 600)), 4, department, "Đã thực hiện nghĩa vụ tài chính"
            )
            end = max(end, d.steps[-1].at + timedelta(minutes=5))
        if rng.random() < 0.005:
            self._step(rng, d, end, 8, department, "Dừng xử lý hồ sơ", lead=True)
            return
        self._step(rng, d, end, 9, department, "Đã xử lý xong", lead=True)
        if procedure.issues_result:
            link = rng.random() < profile.e_result
            number = f"KQ-{d.code}"
            d.result = (
                "Kết quả giải quyết TTHC",
                number,
                f"https://dichvucong.daklak.gov.vn/ketqua/{d.number}.pdf" if link else None,
            )
        if rng.random() < 0.92:
            self._step(rng, d, _later_working_time(rng, end, 0, 4), 10, DESK, "Đã trả kết quả")
            if quirk(self.seed, "unrecorded_finish", d.code) < UNRECORDED_FINISH:
                d.steps = [step for step in d.steps if step.status != 9]


class FeedbackFactory:
    """Generates one unit-day's feedback items (phản ánh kiến nghị)."""

    TOPICS = (
        (1, "Thủ tục cấp giấy chứng nhận quyền sử dụng đất kéo dài", "Đề nghị rút ngắn thời gian giải quyết."),
        (1, "Yêu cầu nộp nhiều bản sao giấy tờ", "Đề nghị không yêu cầu bản sao đã có trong CSDL quốc gia."),
        (2, "Thái độ cán bộ tiếp nhận chưa đúng mực", "Cán bộ bộ phận một cửa trả lời thiếu tôn trọng."),
        (1, "Trả kết quả trễ hẹn", "Hồ sơ đã quá hạn nhưng chưa nhận được thông báo."),
        (2, "Cán bộ hướng dẫn không đầy đủ", "Phải đi lại nhiều lần để bổ sung hồ sơ."),
    )

    def __init__(self, office: Office, seed: int, rate: float, neighbours: list[Unit]):
        self.office = office
        self.seed = seed
        self.rate = rate
        self.neighbours = neighbours  # other units of the same system: where a transfer may go

    def for_day(self, day: date) -> list[Feedback]:
        office = self.office
        if not unit_exists(office.unit, day) or not calendar.is_working_day(day):
            return []
        rng = random.Random(f"{self.seed}:feedback:{office.unit.code}:{day.isoformat()}")
        items = [self._one(rng, day, seq) for seq in range(_poisson(rng, self.rate))]
        items.sort(key=lambda f: (f.sent, f.code))
        return items

    def _one(self, rng: random.Random, day: date, seq: int) -> Feedback:
        office = self.office
        category, title, body = rng.choice(self.TOPICS)
        minute = rng.randint(6 * 60, 22 * 60)
        sent = datetime.combine(day, time(minute // 60, minute % 60))
        code = f"PAKN-{office.unit.code}-{sent:%y%m%d}-{seq:03d}"
        number = office.index * 10**9 + (day - date(2000, 1, 1)).days * 10**4 + 5000 + seq
        unit_code = office.unit.code
        states = [FeedbackState(sent, 1, unit_code, None, None, None)]
        intake = _later_working_time(rng, sent, 0, 2)
        states.append(FeedbackState(intake, 2, unit_code, intake, None, None))
        roll = rng.random()
        candidates = [u for u in self.neighbours if unit_exists(u, intake.date()) and u.code != unit_code]
        if roll < 0.06 and candidates:
            target = rng.choice(candidates)
            moved = _later_working_time(rng, intake, 1, 3)
            if unit_exists(target, moved.date()):
                unit_code, intake = target.code, moved
                states.append(FeedbackState(moved, 2, unit_code, intake, None, None))
        transferred_out = roll < 0.09 and not (roll < 0.06 and candidates)
        if transferred_out:  # it left this system: nothing more happens to it here
            states.append(FeedbackState(_later_working_time(rng, intake, 1, 2), 6, unit_code, intake, None, None))
        elif rng.random() < 0.05:
            refused = _later_working_time(rng, intake, 0, 1 if rng.random() < 0.8 else 4)
            states.append(FeedbackState(refused, 5, unit_code, intake, refused, None))
        else:
            late = rng.random() < office.profile.feedback_late
            answered = _later_working_time(rng, intake, 16, 35) if late else _later_working_time(rng, intake, 1, 15)
            states.append(FeedbackState(answered, 3, unit_code, intake, answered, None))
            if rng.random() < 0.6:
                published = answered + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
                states.append(FeedbackState(published, 4, unit_code, intake, answered, published))
        return Feedback(
            code,
            number,
            office.unit.system_id,
            category,
            title,
            body,
            people.person_name(rng),
            people.phone(rng),
            sent,
            states,
        )


def daterange(start: date, end: date) -> Iterator[date]:
    """Days from `start` to `end` inclusive."""
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)
