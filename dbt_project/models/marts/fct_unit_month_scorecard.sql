-- Unit x month x view (as_was: the unit that received; as_is: today's unit it rolls up to), with every indicator
-- of metrics.md that dossier logs determine: numerator, denominator, rate (null when the denominator is 0),
-- score, the subtotal out of 56 with its reachable maximum, and the rank among units of the same level.
with

observation as (
    select observed_at from {{ ref('int_observation') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

dossiers as (
    select * from {{ ref('fct_dossiers') }}
),

dossier_months as (
    select * from {{ ref('fct_dossier_month') }}
),

feedback as (
    select * from {{ ref('fct_feedback') }}
    where not is_transferred_out and intake_at is not null
),

months as (
    select
        month_start::date as month_start,
        least(month_start + interval '1 month' - interval '1 second', observation.observed_at) as month_end
    from observation
    cross join lateral generate_series(
        (select date_trunc('month', min(received_at)) from dossiers),
        date_trunc('month', observation.observed_at),
        interval '1 month'
    ) as series (month_start)
),

received as (
    select
        dossiers.unit_code,
        date_trunc('month', dossiers.received_at)::date as month_start,
        count(*) as received,
        count(*) filter (where dossiers.channel = 2) as received_online,
        count(*) filter (where dossiers.has_fee) as received_with_fee,
        count(*) filter (where dossiers.has_fee and dossiers.is_paid_online) as paid_online,
        count(*) filter (where dossiers.is_digitized) as digitized,
        count(*) filter (where dossiers.has_reused_data) as reused_data
    from dossiers
    where dossiers.is_accepted
    group by 1, 2
),

finished as (
    select
        dossiers.unit_code,
        date_trunc('month', dossiers.end_at)::date as month_start,
        count(*) as finished_with_result,
        count(*) filter (where dossiers.has_electronic_result) as electronic_results
    from dossiers
    where dossiers.end_status in (9, 10) and dossiers.issues_result and dossiers.is_accepted
    group by 1, 2
),

timeliness as (
    select
        dossiers.unit_code,
        dossier_months.month_start,
        count(*) as processed,
        count(*) filter (where not dossier_months.is_late) as processed_not_late
    from dossier_months
    inner join dossiers on dossier_months.dossier_code = dossiers.dossier_code
    group by 1, 2
),

feedback_in_scope as (
    select
        feedback.unit_code,
        months.month_start,
        case
            when feedback.handled_at is null or feedback.handled_at > months.month_end
                then months.month_end::date <= feedback.answer_due_on
            when feedback.is_refused then feedback.handled_at::date <= feedback.refusal_due_on
            else feedback.handled_at::date <= feedback.answer_due_on
        end as is_on_time
    from feedback
    inner join months
        on feedback.intake_at <= months.month_end
        and (feedback.handled_at is null or feedback.handled_at >= months.month_start)
),

feedback_counts as (
    select unit_code, month_start, count(*) as in_scope, count(*) filter (where is_on_time) as on_time
    from feedback_in_scope
    group by 1, 2
),

feedback_taken_in as (
    select unit_code, date_trunc('month', intake_at)::date as month_start, count(*) as taken_in
    from feedback
    group by 1, 2
),

as_was_units as (
    select units.unit_code, units.unit_code as reported_unit_code, units.level, months.month_start
    from units
    inner join months
        on units.valid_from <= months.month_end::date
        and (units.valid_to is null or units.valid_to >= months.month_start)
),

as_is_units as (
    select units.unit_code, units.current_unit_code as reported_unit_code, units.current_level as level,
        months.month_start
    from units
    cross join months
    where units.valid_from <= months.month_end::date
),

unit_months as (
    select 'as_was' as view, * from as_was_units
    union all
    select 'as_is' as view, * from as_is_units
),

counted as (
    select
        unit_months.view,
        unit_months.reported_unit_code as unit_code,
        unit_months.level,
        unit_months.month_start,
        coalesce(sum(timeliness.processed_not_late), 0) as n_2_1,
        coalesce(sum(timeliness.processed), 0) as d_2_1,
        coalesce(sum(received.received_online), 0) as n_3_3,
        coalesce(sum(received.received), 0) as d_3_3,
        coalesce(sum(received.paid_online), 0) as n_3_6,
        coalesce(sum(received.received_with_fee), 0) as d_3_6,
        coalesce(sum(finished.electronic_results), 0) as n_4_1,
        coalesce(sum(finished.finished_with_result), 0) as d_4_1,
        coalesce(sum(received.digitized), 0) as n_4_2,
        coalesce(sum(received.received), 0) as d_4_2,
        coalesce(sum(received.reused_data), 0) as n_4_3,
        coalesce(sum(received.received), 0) as d_4_3,
        coalesce(sum(feedback_counts.on_time), 0) as n_5_2,
        coalesce(sum(feedback_counts.in_scope), 0) as d_5_2,
        coalesce(sum(feedback_taken_in.taken_in), 0) as feedback_taken_in
    from unit_months
    left join received
        on unit_months.unit_code = received.unit_code and unit_months.month_start = received.month_start
    left join finished
        on unit_months.unit_code = finished.unit_code and unit_months.month_start = finished.month_start
    left join timeliness
        on unit_months.unit_code = timeliness.unit_code and unit_months.month_start = timeliness.month_start
    left join feedback_counts
        on unit_months.unit_code = feedback_counts.unit_code and unit_months.month_start = feedback_counts.month_start
    left join feedback_taken_in
        on unit_months.unit_code = feedback_taken_in.unit_code
        and unit_months.month_start = feedback_taken_in.month_start
    group by 1, 2, 3, 4
),

rated as (
    select
        counted.*,
        {% for code in ['2_1', '3_3', '3_6', '4_1', '4_2', '4_3', '5_2'] -%}
        n_{{ code }}::numeric / nullif(d_{{ code }}, 0) as rate_{{ code }},
        {% endfor -%}
        case when d_3_3 > 0 then feedback_taken_in::numeric / d_3_3 else 0 end as feedback_share
    from counted
),

scored as (
    select
        rated.*,
        20 * rate_2_1 as score_2_1,
        -- least() skips nulls too: a null rate must stay a null score.
        case when rate_3_3 is not null then least(6, 6 * rate_3_3 / 0.5) end as score_3_3,
        6 * rate_3_6 as score_3_6,
        6 * rate_4_1 as score_4_1,
        4 * rate_4_2 as score_4_2,
        case when rate_4_3 is not null then least(2, 2 * rate_4_3 / 0.8) end as score_4_3,
        case when d_5_2 = 0 then 6 else 6 * rate_5_2 end as score_5_2,
        -- greatest() skips nulls: without a 2.1 rate there is no 5.4 rate.
        case when rate_2_1 is not null then greatest(0, 1 - ((1 - rate_2_1) + feedback_share)) end as rate_5_4
    from rated
),

totalled as (
    select
        scored.*,
        case when rate_5_4 is not null then least(6, 6 * rate_5_4 / 0.9) end as score_5_4,
        coalesce(score_2_1, 0) + coalesce(score_3_3, 0) + coalesce(score_3_6, 0) + coalesce(score_4_1, 0)
        + coalesce(score_4_2, 0) + coalesce(score_4_3, 0) + score_5_2
        + coalesce(case when rate_5_4 is not null then least(6, 6 * rate_5_4 / 0.9) end, 0) as subtotal,
        (case when score_2_1 is null then 0 else 20 end) + (case when score_3_3 is null then 0 else 6 end)
        + (case when score_3_6 is null then 0 else 6 end) + (case when score_4_1 is null then 0 else 6 end)
        + (case when score_4_2 is null then 0 else 4 end) + (case when score_4_3 is null then 0 else 2 end)
        + 6 + (case when rate_5_4 is null then 0 else 6 end) as max_points
    from scored
)

select
    totalled.*,
    totalled.subtotal / nullif(totalled.max_points, 0) as subtotal_ratio,
    -- Ranked on the ratio rounded to 10 places: decimal division leaves residue in the 20th place (6 * 2/3 is
    -- 3.99999999999999999998), which must not split units whose scores are equal.
    rank() over (
        partition by totalled.view, totalled.month_start, totalled.level
        order by round(totalled.subtotal / nullif(totalled.max_points, 0), 10) desc
    ) as rank_in_level
from totalled
