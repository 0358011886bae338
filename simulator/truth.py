"""Ground truth: every indicator of metrics.md for every unit and month, from the event model, in Python.

This is the oracle the warehouse is tested against, written from the rules of metrics.md alone and
independently of the SQL. A record's state is taken as of `observed_at` (the last night the warehouse loaded):
whether it was accepted, withdrawn or transferred comes from its latest state, as the warehouse sees it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction

from onestop.vocabulary import reports
from simulator import calendar
from simulator.catalogue import BY_CODE
from simulator.model import LIFETIME, Dossier, Feedback
from simulator.province import unit_exists
from simulator.world import World

INDICATORS = ("2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "5.2", "5.4")
MAX_POINTS = {"2.1": 20, "3.3": 6, "3.6": 6, "4.1": 6, "4.2": 4, "4.3": 2, "5.2": 6, "5.4": 6}
FEEDBACK_DAYS, REFUSAL_DAYS = 15, 2


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """First instant and the end-of-month moment of judgement (23:59:59 of the last day)."""
    start = datetime.combine(month.replace(day=1), time())
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following - timedelta(seconds=1)


def score(
    code: str, numerator: int, denominator: int, rate_21: Fraction | None = None, feedback_share: Fraction | None = None
) -> tuple[Fraction | None, Fraction | None]:
    """(rate, score) of one indicator, exact. 5.4 takes the 2.1 rate and the feedback share instead."""
    if code == "5.4":
        if rate_21 is None:
            return None, None
        r = max(Fraction(0), 1 - ((1 - rate_21) + feedback_share))
        return r, min(Fraction(6), 6 * r / Fraction(9, 10))
    if denominator == 0:
        return None, (Fraction(6) if code == "5.2" else None)
    r = Fraction(numerator, denominator)
    formula = {
        "2.1": 20 * r,
        "3.3": min(Fraction(6), 6 * r / Fraction(1, 2)),
        "3.6": 6 * r,
        "4.1": 6 * r,
        "4.2": 4 * r,
        "4.3": min(Fraction(2), 2 * r / Fraction(4, 5)),
        "5.2": 6 * r,
    }
    return r, formula[code]


@dataclass
class Judgement:
    """A dossier processed in a month: when it was judged, whether late, by how much, who held it."""

    dossier: Dossier
    moment: datetime
    adjusted: datetime
    due: datetime
    late: bool
    open: bool
    handler: str
    department: str

    @property
    def days_overdue(self) -> int:
        return calendar.working_days_between(self.due.date(), self.adjusted.date())


def due_of(d: Dossier) -> datetime:
    return d.due or calendar.due_after(d.received, d.procedure.statutory_days, d.procedure.cutoff)


def end_of_processing(d: Dossier, observed_at: datetime) -> tuple[datetime | None, int | None]:
    for status in (9, 10, 8):
        moment = d.first_time(status, observed_at)
        if moment is not None:
            return moment, status
    return None, None


def judge(d: Dossier, month_start: datetime, month_end: datetime, observed_at: datetime) -> Judgement | None:
    """The 2.1 judgement of `d` for the month, or None when it is not processed in that month."""
    steps = d.steps_until(observed_at)
    status = steps[-1].status
    # Withdrawn (7) anywhere in the history is withdrawn, whatever the source recorded after it.
    if status in (1, 3) or any(step.status == 7 for step in steps) or d.received > month_end:
        return None
    end, _ = end_of_processing(d, observed_at)
    if end is not None and end < month_start:
        return None
    is_open = end is None or end > month_end
    moment = month_end if is_open else end
    requests = [s for s in d.supplements if s.requested <= moment]
    pending = [s for s in requests if s.returned is None or s.returned > moment]
    if pending:
        adjusted = pending[0].requested
    else:
        adjusted = moment - sum((s.returned - s.requested for s in requests), timedelta())
    due = due_of(d)
    late = len(requests) > 1 or adjusted.date() > due.date()
    day_end = datetime.combine(moment.date(), time(23, 59, 59))
    holder = d.steps_until(day_end)[-1]
    return Judgement(d, moment, adjusted, due, late, is_open, holder.handler, holder.department)


@dataclass
class UnitMonth:
    counts: dict[str, list[int]] = field(default_factory=lambda: {c: [0, 0] for c in INDICATORS if c != "5.4"})
    # Items an indicator would have counted, from systems whose format cannot record its input.
    unreported: dict[str, int] = field(default_factory=lambda: {c: 0 for c in INDICATORS if c != "5.4"})
    received: int = 0
    feedback_taken_in: int = 0
    late: list[Judgement] = field(default_factory=list)
    late_feedback: list[tuple[Feedback, datetime]] = field(default_factory=list)

    def add(self, code: str, hit: bool, kind: str) -> None:
        if not reports(kind, code):
            self.unreported[code] += 1
            return
        self.counts[code][1] += 1
        self.counts[code][0] += bool(hit)

    def is_reported(self, code: str) -> bool:
        """metrics.md "Not reported": items to count, none of them from a system able to record the input."""
        return not (self.counts[code][1] == 0 and self.unreported[code] > 0)


@dataclass
class Scorecard:
    numerator: dict[str, int | None]
    denominator: dict[str, int | None]
    rate: dict[str, Fraction | None]
    score: dict[str, Fraction | None]
    subtotal: Fraction
    maximum: int
    rank: int | None = None

    @property
    def ratio(self) -> Fraction:
        return self.subtotal / self.maximum if self.maximum else Fraction(0)


def scorecard(um: UnitMonth) -> Scorecard:
    num: dict[str, int | None] = {code: pair[0] for code, pair in um.counts.items()}
    den: dict[str, int | None] = {code: pair[1] for code, pair in um.counts.items()}
    rate, points = {}, {}
    for code in um.counts:
        if um.is_reported(code):
            rate[code], points[code] = score(code, num[code], den[code])
        else:
            num[code] = den[code] = rate[code] = points[code] = None
    share = Fraction(um.feedback_taken_in, um.received) if um.received else Fraction(0)
    rate["5.4"], points["5.4"] = score("5.4", 0, 0, rate["2.1"], share)
    num["5.4"] = den["5.4"] = None
    counted = [code for code in INDICATORS if points[code] is not None]
    return Scorecard(
        num, den, rate, points, sum((points[c] for c in counted), Fraction(0)), sum(MAX_POINTS[c] for c in counted)
    )


def rank(cards: dict[str, Scorecard], level_of: dict[str, str]) -> None:
    """Competition ranking (1, 2, 2, 4) by subtotal / maximum within each level, in place."""
    by_level: dict[str, list[str]] = defaultdict(list)
    for unit in cards:
        by_level[level_of[unit]].append(unit)
    for units in by_level.values():
        ratios = sorted((cards[u].ratio for u in units), reverse=True)
        for unit in units:
            cards[unit].rank = ratios.index(cards[unit].ratio) + 1


@dataclass
class MonthTruth:
    month: date
    view: str  # as_was | as_is
    units: dict[str, UnitMonth]
    cards: dict[str, Scorecard]
    is_final: bool = True  # False while the month's last night has not been observed


def feedback_judgement(
    item: Feedback, month_start: datetime, month_end: datetime, observed_at: datetime
) -> tuple[str, bool] | None:
    """(unit, on time) when the item is in scope for the month, else None."""
    state = item.state_at(observed_at)
    if state is None or state.status == 6 or state.intake is None or state.intake > month_end:
        return None
    handled = state.answered
    if handled is not None and handled < month_start:
        return None
    start_day = calendar.clock_start(state.intake).date()
    if handled is None or handled > month_end:
        limit = calendar.add_working_days(start_day, FEEDBACK_DAYS)
        return state.unit_code, month_end.date() <= limit
    days = REFUSAL_DAYS if state.status == 5 else FEEDBACK_DAYS
    return state.unit_code, handled.date() <= calendar.add_working_days(start_day, days)


Tallies = dict[date, dict[str, UnitMonth]]
Bounds = dict[date, tuple[datetime, datetime]]


def tally_dossier(per_month: Tallies, bounds: Bounds, d: Dossier, observed_at: datetime, kind: str) -> None:
    """Count one dossier into every month's indicators of the unit that received it."""
    if d.received > observed_at:
        return
    status = d.steps_until(observed_at)[-1].status
    accepted = status not in (1, 3)
    end, end_status = end_of_processing(d, observed_at)
    procedure = BY_CODE.get(d.procedure.code)
    for month, (start, month_end) in bounds.items():
        um = per_month[month][d.unit_code]
        if accepted and start <= d.received <= month_end:
            um.received += 1
            um.add("3.3", d.channel == 2, kind)
            um.add("4.2", d.digitized, kind)
            um.add("4.3", d.reused, kind)
            if procedure and procedure.has_fee:
                um.add("3.6", d.paid_online in (1, 2), kind)
        if end_status in (9, 10) and start <= end <= month_end and procedure and procedure.issues_result:
            um.add("4.1", bool(d.result and d.result[1] and d.result[2]), kind)
        judgement = judge(d, start, month_end, observed_at)
        if judgement is not None:
            um.add("2.1", not judgement.late, kind)
            if judgement.late:
                um.late.append(judgement)


def tally_feedback(per_month: Tallies, bounds: Bounds, item: Feedback, observed_at: datetime, kind: str) -> None:
    state = item.state_at(observed_at)
    for month, (start, month_end) in bounds.items():
        if state and state.status != 6 and state.intake and start <= state.intake <= month_end:
            per_month[month][state.unit_code].feedback_taken_in += 1
        found = feedback_judgement(item, start, month_end, observed_at)
        if found:
            unit, on_time = found
            per_month[month][unit].add("5.2", on_time, kind)
            if not on_time:
                per_month[month][unit].late_feedback.append((item, state.intake))


def compute(
    world: World, months: list[date], observed_at: datetime, history_start: date | None = None
) -> dict[tuple[date, str], MonthTruth]:
    """Ground truth for each month, as was and as is, with the world observed at `observed_at`; the systems'
    history begins at `history_start` (what was generated: nothing received before it exists)."""
    # A month not yet over is judged at the end of the data, as the warehouse does.
    bounds = {m: (start, min(end, observed_at)) for m, (start, end) in ((m, month_bounds(m)) for m in months)}
    first = min(start for start, _ in bounds.values()).date() - LIFETIME
    if history_start is not None:
        first = max(first, history_start)
    last = min(max(end for _, end in bounds.values()), observed_at).date()
    per_month: Tallies = {m: defaultdict(UnitMonth) for m in months}

    for system in world.systems:
        for d in world.dossiers(system.id, first, last):
            tally_dossier(per_month, bounds, d, observed_at, system.kind)
        for item in world.feedback(system.id, first, last):
            tally_feedback(per_month, bounds, item, observed_at, system.kind)

    results = {}
    level_of = {u.code: u.level for u in world.units}
    for month in months:
        as_was = {u.code: per_month[month][u.code] for u in world.units if unit_exists(u, month)}
        results[(month, "as_was")] = _finish(month, "as_was", as_was, level_of, observed_at)
        # As is, everything rolls up to today's units, including what former units still processed after they
        # ceased to exist (as was, a month shows the units that existed in it).
        as_is: dict[str, UnitMonth] = defaultdict(UnitMonth)
        for code in {*as_was, *per_month[month]}:
            target = world.unit_by_code[code].successor_code or code
            _merge(as_is[target], per_month[month][code])
        results[(month, "as_is")] = _finish(month, "as_is", dict(as_is), level_of, observed_at)
    return results


def _merge(into: UnitMonth, other: UnitMonth) -> None:
    for code, (hits, total) in other.counts.items():
        into.counts[code][0] += hits
        into.counts[code][1] += total
        into.unreported[code] += other.unreported[code]
    into.received += other.received
    into.feedback_taken_in += other.feedback_taken_in
    into.late.extend(other.late)
    into.late_feedback.extend(other.late_feedback)


def _finish(
    month: date, view: str, units: dict[str, UnitMonth], level_of: dict[str, str], observed_at: datetime
) -> MonthTruth:
    cards = {code: scorecard(um) for code, um in units.items()}
    rank(cards, level_of)
    return MonthTruth(month, view, units, cards, is_final=observed_at >= month_bounds(month)[1])
