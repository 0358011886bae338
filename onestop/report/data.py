"""Everything the monthly report shows, read from the marts as the BI role reads them (one month, one view)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import psycopg
from psycopg.rows import dict_row

from onestop.night import previous_month
from onestop.report.labels import LEVELS, NOT_JUDGED, completeness_reasons

INDICATORS = ("2_1", "3_3", "3_6", "4_1", "4_2", "4_3", "5_2", "5_4")
TREND_CODES = ("2_1", "4_1", "4_2", "5_2")  # on time, electronic result, digitized, feedback on time
VIEWS = ("as_was", "as_is")


@dataclass
class ReportData:
    month: date
    view: str
    ranking: list[dict]  # one row per unit: names, level, subtotal, max, rank, changes, indicators
    late_dossiers: list[dict]
    late_feedback: list[dict]
    completeness: list[dict]  # one row per unit: complete, nights, reasons
    trend: list[dict]  # month, rate per TREND_CODES, province-wide
    incomplete: list[dict] = field(default_factory=list)
    # The national portal's groups (dim_indicator.portal_group), in order, each with its indicators and maximum.
    groups: list[dict] = field(default_factory=list)
    max_points: dict[str, int] = field(default_factory=dict)  # per indicator (column suffix)
    generated_at: datetime | None = None  # when the report was made (the province's time)
    province: str | None = None  # the registry's province name, for the files' properties

    def units_in_level(self, level: str) -> int:
        """How many units a rank in `level` is out of (the N of "3/34")."""
        return sum(1 for r in self.ranking if r["level"] == level)

    @property
    def is_complete(self) -> bool:
        return bool(self.completeness) and not self.incomplete

    @property
    def is_final(self) -> bool:
        """False while the month's last night has not landed: its figures are provisional (tạm tính)."""
        return all(r["is_final"] for r in self.ranking)

    @property
    def compares_with_last_month(self) -> bool:
        """Changes against last month only between final months: a provisional standing will still move."""
        return self.is_final and all(r["previous_is_final"] is not False for r in self.ranking)

    def change(self, now, before):
        """`now - before` against last month; None where either is missing, or where the standing will still
        move (a provisional month)."""
        return None if now is None or before is None or not self.compares_with_last_month else now - before

    @property
    def level_names(self) -> str:
        """The levels ranked, in Vietnamese and in the ranking's order ("Cấp huyện, Cấp xã")."""
        return ", ".join(dict.fromkeys(LEVELS.get(r["level"], r["level"]) for r in self.ranking))

    @property
    def data_as_of(self) -> datetime | None:
        """The moment the data stands at (the end of the last night landed)."""
        return max((r["data_as_of"] for r in self.ranking), default=None)


def load(conn: psycopg.Connection, month: date, view: str) -> ReportData:
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}")
    cur = conn.cursor(row_factory=dict_row)
    last = previous_month(month)
    ranking = cur.execute(
        """
        select s.*, u.unit_name, p.rank_in_level as previous_rank, p.subtotal as previous_subtotal,
            p.subtotal_ratio as previous_ratio, p.is_final as previous_is_final,
            {previous_scores}
        from marts.fct_unit_month_scorecard as s
        left join marts.dim_unit as u on u.unit_code = s.unit_code
        left join marts.fct_unit_month_scorecard as p
            on p.view = s.view and p.unit_code = s.unit_code and p.month_start = %(last)s
        where s.view = %(view)s and s.month_start = %(month)s
        order by case s.level when 'province' then 0 when 'department' then 1 when 'district' then 2 else 3 end,
            s.level, s.rank_in_level, s.unit_code
        """.format(previous_scores=", ".join(f"p.score_{c} as previous_score_{c}" for c in INDICATORS)),
        {"view": view, "month": month, "last": last},
    ).fetchall()
    indicators = cur.execute(
        "select column_suffix, portal_group, max_points from marts.dim_indicator order by indicator_code"
    ).fetchall()
    groups: dict[str, dict] = {}
    for i in indicators:
        group = groups.setdefault(i["portal_group"], {"name": i["portal_group"], "codes": [], "max_points": 0})
        group["codes"].append(i["column_suffix"])
        group["max_points"] += i["max_points"]
    # Each group's points, as the long scorecard BI reads has them (an indicator not reported adds nothing).
    points = {
        (unit, group): total
        for unit, group, total in conn.execute(
            "select unit_code, portal_group, coalesce(sum(score), 0) from marts.fct_unit_month_indicator"
            " where view = %s and month_start = %s group by 1, 2",
            (view, month),
        ).fetchall()
    }
    for r in ranking:
        r["groups"] = {name: points.get((r["unit_code"], name)) for name in groups}
    # The unit an item is listed under comes from the mart (as_was_unit_code), so BI gets the report's answer.
    items = cur.execute(
        """
        with items as (
            select o.*,
                case when %(view)s = 'as_is' then o.current_unit_code else o.as_was_unit_code end
                    as reported_unit_code
            from marts.fct_overdue_items as o
            where o.month_start = %(month)s
        )
        select items.*, u.unit_name, coalesce(s.status_name, fs.status_name) as status_name, c.category_name
        from items
        left join marts.dim_unit as u on u.unit_code = items.reported_unit_code
        left join marts.dim_status as s on items.item_type = 'dossier' and s.status_code = items.status_code
        left join marts.dim_feedback_status as fs
            on items.item_type = 'feedback' and fs.status_code = items.status_code
        left join marts.dim_feedback_category as c on c.category = items.category
        order by items.reported_unit_code, items.working_days_overdue desc, items.item_code
        """,
        {"month": month, "view": view},
    ).fetchall()
    completeness = []
    if conn.execute("select to_regclass('marts.data_completeness') is not null").fetchone()[0]:
        completeness = cur.execute(
            "select c.*, u.unit_name from marts.data_completeness as c"
            " left join marts.dim_unit as u on u.unit_code = c.unit_code"
            " where c.view = %(view)s and c.month_start = %(month)s order by c.unit_code",
            {"view": view, "month": month},
        ).fetchall()
    trend = cur.execute(
        """
        select month_start, {rates}
        from marts.fct_unit_month_scorecard
        where view = 'as_was' and month_start > %(month)s - interval '12 months' and month_start <= %(month)s
        group by month_start order by month_start
        """.format(rates=", ".join(f"sum(n_{c})::numeric / nullif(sum(d_{c}), 0) as rate_{c}" for c in TREND_CODES)),
        {"month": month},
    ).fetchall()
    data = ReportData(
        month=month,
        view=view,
        ranking=ranking,
        late_dossiers=[i for i in items if i["item_type"] == "dossier"],
        late_feedback=[i for i in items if i["item_type"] == "feedback"],
        completeness=completeness,
        trend=trend,
        groups=list(groups.values()),
        max_points={i["column_suffix"]: i["max_points"] for i in indicators},
    )
    for row in completeness:
        row["reasons_vi"] = completeness_reasons(row)
    data.incomplete = [c for c in completeness if not c["complete"]]
    if not completeness:
        data.incomplete = [{"unit_code": "*", "unit_name": None, "reasons_vi": [NOT_JUDGED]}]
    return data


def gate_verdict(data: ReportData) -> str:
    if data.is_complete:
        return "complete"
    return f"incomplete: {len(data.incomplete)} of {len(data.completeness) or len(data.ranking)} unit-months"
