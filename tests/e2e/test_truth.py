"""The ground truth on hand-built cases whose answers are worked out here, from metrics.md."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from fractions import Fraction

from simulator import truth
from simulator.catalogue import BY_CODE, Procedure
from simulator.model import Dossier, Feedback, FeedbackState, Step, Supplement

THREE_DAYS = BY_CODE["1.004873"]  # 3 working days, office hours, a fee, a result
assert THREE_DAYS.statutory_days == 3 and THREE_DAYS.cutoff is None
ONE_DAY_CUTOFF = Procedure("1.000001", "Thủ tục thử", "G01", "Hộ tịch", 1, time(15, 0), False, True, 3, 1.0)
JUNE = date(2025, 6, 1)


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def dossier(
    received: str,
    steps: list[tuple[str, int]],
    due: str | None = "auto",
    procedure=THREE_DAYS,
    supplements=(),
    unit="U1",
    channel=1,
) -> Dossier:
    d = Dossier(
        code=f"{unit}-{received}",
        number=1,
        system_id="s",
        unit_code=unit,
        procedure=procedure,
        channel=channel,
        applicant_type=1,
        applicant_name="Nguyễn Văn An",
        applicant_id="054000000001",
        applicant_phone="0900000001",
        applicant_email="",
        received=dt(received),
        due=None,
        digitized=True,
        paid_online=0,
        reused=False,
        inputs=[],
        result=None,
        steps=[Step(dt(at), status, "Lê Thị Hoa", "Chuyên viên", "Phòng Tư pháp", "") for at, status in steps],
        supplements=[Supplement(dt(a), dt(b) if b else None, None, None) for a, b in supplements],
    )
    if due == "auto":
        d.due = truth.due_of(d)
    elif due:
        d.due = dt(due)
    return d


def judged(d: Dossier, month: date = JUNE, observed: str = "2025-08-01 00:00") -> truth.Judgement | None:
    start, end = truth.month_bounds(month)
    return truth.judge(d, start, end, dt(observed))


def test_pause_across_a_weekend_is_not_counted() -> None:
    # Received Mon 2 June 09:00, 3 working days: due Thu 5 June 17:00. A supplement asked Wed 4 June 10:00 came
    # back Mon 9 June 10:00 (a five-day pause over the weekend); finished Tue 10 June 09:00.
    d = dossier(
        "2025-06-02 09:00",
        [("2025-06-02 09:00", 2), ("2025-06-04 10:00", 5), ("2025-06-09 10:00", 4), ("2025-06-10 09:00", 9)],
        supplements=[("2025-06-04 10:00", "2025-06-09 10:00")],
    )
    assert d.due == dt("2025-06-05 17:00")
    j = judged(d)
    assert j.adjusted == dt("2025-06-05 09:00")  # 10 June 09:00 minus five days
    assert j.late is False
    # The same dossier without its pause would be five days late.
    d.supplements, d.steps = [], [d.steps[0], d.steps[-1]]
    assert judged(d).late is True and judged(d).days_overdue == 3  # Fri 6, Mon 9, Tue 10 June


def test_two_supplement_requests_make_it_late_whatever_the_dates() -> None:
    d = dossier(
        "2025-06-02 09:00",
        [
            ("2025-06-02 09:00", 2),
            ("2025-06-02 10:00", 5),
            ("2025-06-02 11:00", 4),
            ("2025-06-02 13:00", 5),
            ("2025-06-02 14:00", 4),
            ("2025-06-02 15:00", 9),
        ],
        supplements=[("2025-06-02 10:00", "2025-06-02 11:00"), ("2025-06-02 13:00", "2025-06-02 14:00")],
    )
    j = judged(d)
    assert j.adjusted.date() < d.due.date() and j.late is True


def test_pending_supplement_makes_the_request_time_the_adjusted_end() -> None:
    # Open at the end of June with a request still pending from 20 June: judged at the request time, on time.
    d = dossier(
        "2025-06-17 08:00", [("2025-06-17 08:00", 2), ("2025-06-20 09:00", 5)], supplements=[("2025-06-20 09:00", None)]
    )
    j = judged(d, observed="2025-06-30 23:59:59")
    assert j.open and j.adjusted == dt("2025-06-20 09:00") and j.late is False


def test_received_at_1630_before_tet_with_a_1500_cutoff() -> None:
    # Friday 13 Feb 2026 16:30: after the 15:00 cut-off, and Tết is off from Sat 14 to Sun 22 Feb. The clock
    # starts Mon 23 Feb 07:30; one working day later is Tue 24 Feb 17:00. No appointment date was given.
    d = dossier(
        "2026-02-13 16:30", [("2026-02-13 16:30", 2), ("2026-02-24 16:00", 9)], due=None, procedure=ONE_DAY_CUTOFF
    )
    assert d.due is None and truth.due_of(d) == dt("2026-02-24 17:00")
    assert judged(d, date(2026, 2, 1), "2026-03-01 00:00").late is False
    late = dossier(
        "2026-02-13 16:30", [("2026-02-13 16:30", 2), ("2026-02-25 08:00", 9)], due=None, procedure=ONE_DAY_CUTOFF
    )
    assert judged(late, date(2026, 2, 1), "2026-03-01 00:00").late is True
    # Without a cut-off (office hours only) the same receipt starts the clock at once: due Mon 23 Feb.
    no_cutoff = Procedure("1.000002", "Thủ tục thử", "G01", "Hộ tịch", 1, None, False, True, 3, 1.0)
    assert truth.due_of(dossier("2026-02-13 16:30", [("2026-02-13 16:30", 2)], due=None, procedure=no_cutoff)) == dt(
        "2026-02-23 17:00"
    )


def test_make_up_saturday_is_a_working_day() -> None:
    # Sat 8 Feb 2025 was worked in exchange for Mon 27 Jan: a dossier received Fri 7 Feb 10:00 with one
    # working day is due Sat 8 Feb.
    one_day = Procedure("1.000003", "Thủ tục thử", "G01", "Hộ tịch", 1, None, False, True, 3, 1.0)
    assert truth.due_of(dossier("2025-02-07 10:00", [("2025-02-07 10:00", 2)], due=None, procedure=one_day)) == dt(
        "2025-02-08 17:00"
    )


def tallies(dossiers=(), feedback=(), month: date = JUNE, observed: str = "2025-08-01 00:00", kind="dvcqg_api"):
    per_month = {month: defaultdict(truth.UnitMonth)}
    bounds = {month: truth.month_bounds(month)}
    for d in dossiers:
        truth.tally_dossier(per_month, bounds, d, dt(observed), kind)
    for item in feedback:
        truth.tally_feedback(per_month, bounds, item, dt(observed), kind)
    return per_month[month]


def test_withdrawal_and_refusal_at_intake() -> None:
    withdrawn = dossier("2025-06-03 08:00", [("2025-06-03 08:00", 2), ("2025-06-04 08:00", 7)], channel=2)
    refused = dossier("2025-06-03 09:00", [("2025-06-03 09:00", 3)])
    done = dossier("2025-06-03 10:00", [("2025-06-03 10:00", 2), ("2025-06-04 10:00", 9)])
    um = tallies([withdrawn, refused, done])["U1"]
    assert um.counts["2.1"] == [1, 1]  # the withdrawn one is outside timeliness, the refused one outside all
    assert um.counts["3.3"] == [1, 2]  # but the withdrawn one still counts as received (and came online)


def test_a_withdrawal_followed_by_more_history_stays_a_withdrawal() -> None:
    # Withdrawn Wed 4 June, then the source recorded processing again on Mon 9 June and never ended it: were it
    # revived, it would be open and past due (3 days from 3 June) at the end of June.
    resumed = dossier(
        "2025-06-03 08:00", [("2025-06-03 08:00", 2), ("2025-06-04 08:00", 7), ("2025-06-09 09:00", 4)], channel=2
    )
    assert judged(resumed) is None
    um = tallies([resumed])["U1"]
    assert um.counts["2.1"] == [0, 0] and um.counts["3.3"] == [1, 1]


def test_handed_over_without_a_recorded_finish_ends_at_the_hand_over() -> None:
    # No 9 in the history: the end is the hand-over (10) on Thu 5 June 10:00, on time against Fri 6 June 17:00.
    handed = dossier("2025-06-03 08:00", [("2025-06-03 08:00", 2), ("2025-06-05 10:00", 10)])
    handed.result = ("Kết quả", "KQ-1", "https://example.invalid/kq.pdf")
    assert truth.end_of_processing(handed, dt("2025-08-01 00:00")) == (dt("2025-06-05 10:00"), 10)
    assert judged(handed).late is False and not judged(handed).open
    assert judged(handed, date(2025, 7, 1)) is None  # ended in June: not processed in July
    um = tallies([handed])["U1"]
    assert um.counts["4.1"] == [1, 1]  # finished in June with an electronic result


def test_an_indicator_the_source_cannot_record_is_not_reported() -> None:
    # onegate_db and csv_drop formats carry no "reused from the citizen's data store" flag: 4.3 is null
    # throughout and out of the subtotal and its maximum, never 0 / N.
    online = dossier("2025-06-03 08:00", [("2025-06-03 08:00", 2), ("2025-06-04 10:00", 9)], channel=2)
    for kind in ("onegate_db", "csv_drop"):
        um = tallies([online], kind=kind)["U1"]
        card = truth.scorecard(um)
        assert card.numerator["4.3"] is None and card.denominator["4.3"] is None
        assert card.rate["4.3"] is None and card.score["4.3"] is None
        assert card.numerator["3.3"] == card.denominator["3.3"] == 1
        assert card.maximum == 54 and card.subtotal == 42  # 56 less 4.3's 2 points; 3.6 and 4.1 are 0 / 1
    api = truth.scorecard(tallies([online])["U1"])
    assert (api.numerator["4.3"], api.denominator["4.3"], api.score["4.3"]) == (0, 1, 0)
    assert api.maximum == 56 and api.subtotal == 42


def test_a_month_not_yet_over_is_provisional() -> None:
    class NoSystems:
        systems: list = []
        units: list = []

    found = truth.compute(NoSystems(), [JUNE, date(2025, 7, 1)], dt("2025-07-15 23:59:59"))
    assert found[(JUNE, "as_was")].is_final and not found[(date(2025, 7, 1), "as_was")].is_final


def feedback(unit: str, states: list[tuple[str, int, str, str | None, str | None]]) -> Feedback:
    return Feedback(
        "PAKN-1",
        1,
        "s",
        1,
        "Tiêu đề",
        "Nội dung",
        "Trần Văn Bình",
        "0900000002",
        dt(states[0][0]),
        [
            FeedbackState(dt(at), status, u, dt(intake) if intake else None, dt(ans) if ans else None, None)
            for at, status, u, intake, ans in states
        ],
    )


def test_feedback_transferred_once_carries_its_new_unit_and_intake() -> None:
    # Taken in by A on Mon 2 June, transferred to B on Wed 4 June, answered Tue 24 June. Fifteen working days
    # from 2 June end on 23 June (late); from 4 June on 25 June (on time). B holds it, on time; A has nothing.
    item = feedback(
        "A",
        [
            ("2025-06-01 20:00", 1, "A", None, None),
            ("2025-06-02 09:00", 2, "A", "2025-06-02 09:00", None),
            ("2025-06-04 09:00", 2, "B", "2025-06-04 09:00", None),
            ("2025-06-24 10:00", 3, "B", "2025-06-04 09:00", "2025-06-24 10:00"),
        ],
    )
    units = tallies(feedback=[item])
    assert units["B"].counts["5.2"] == [1, 1] and units["B"].feedback_taken_in == 1
    assert units["A"].counts["5.2"] == [0, 0]


def test_feedback_refused_within_two_working_days_and_open_items() -> None:
    refused_late = feedback(
        "A",
        [
            ("2025-06-02 09:00", 2, "A", "2025-06-02 09:00", None),
            ("2025-06-05 09:00", 5, "A", "2025-06-02 09:00", "2025-06-05 09:00"),
        ],
    )
    still_open = feedback("A", [("2025-06-20 09:00", 2, "A", "2025-06-20 09:00", None)])
    um = tallies(feedback=[refused_late, still_open])["A"]
    assert um.counts["5.2"] == [1, 2]  # refused on the 3rd working day: late; open, within 15 days: on time


def test_a_month_with_no_feedback_scores_six_and_zero_denominators_are_null() -> None:
    done = dossier("2025-06-03 10:00", [("2025-06-03 10:00", 2), ("2025-06-04 10:00", 9)])
    card = truth.scorecard(tallies([done])["U1"])
    assert card.denominator["5.2"] == 0 and card.rate["5.2"] is None and card.score["5.2"] == 6
    empty = truth.scorecard(truth.UnitMonth())
    assert empty.rate["2.1"] is None and empty.score["2.1"] is None and empty.score["5.4"] is None
    assert empty.subtotal == 6 and empty.maximum == 6  # only 5.2 scores; the maximum follows


def test_score_caps_and_satisfaction() -> None:
    assert truth.score("3.3", 4, 5)[1] == 6  # 80 % online caps at 6 (full marks from 50 %)
    assert truth.score("3.3", 1, 4)[1] == 3
    assert truth.score("4.3", 9, 10)[1] == 2 and truth.score("4.3", 2, 5)[1] == 1
    # 5.4: 2.1 rate 0.9 (late share 0.1), feedback share 0.05 -> r = 0.85 -> 6 * 0.85 / 0.9
    rate, points = truth.score("5.4", 0, 0, Fraction(9, 10), Fraction(1, 20))
    assert rate == Fraction(17, 20) and points == Fraction(17, 3)
    assert truth.score("5.4", 0, 0, Fraction(1, 1), Fraction(0))[1] == 6
    assert truth.score("5.4", 0, 0, Fraction(1, 10), Fraction(1, 2))[0] == 0  # never below zero


def test_ranks_share_places_and_skip() -> None:
    def card(subtotal: int) -> truth.Scorecard:
        return truth.Scorecard({}, {}, {}, {}, Fraction(subtotal), 56)

    cards = {"a": card(50), "b": card(40), "c": card(40), "d": card(30), "x": card(10)}
    truth.rank(cards, {"a": "commune", "b": "commune", "c": "commune", "d": "commune", "x": "district"})
    assert [cards[u].rank for u in "abcd"] == [1, 2, 2, 4] and cards["x"].rank == 1
