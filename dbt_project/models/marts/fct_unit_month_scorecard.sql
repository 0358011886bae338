{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=["{{ delete_months_rebuilt(first_month_to_rebuild()) }}"],
    post_hook=["{{ refresh_data_as_of() }}"],
    meta={'build_stamp': 'refreshed_at'},
) }}
-- depends_on: {{ ref('int_dossier_lifecycle') }}
-- depends_on: {{ ref('int_feedback_versions_unioned') }}
-- depends_on: {{ ref('stg_csv_drop__retractions') }}
-- depends_on: {{ ref('int_mart_dimensions') }}
{%- set first_month = first_month_to_rebuild() %}

-- Unit x month x view (as_was: the unit that received; as_is: today's unit it rolls up to), with every indicator
-- of metrics.md that dossier logs determine: numerator, denominator, rate (null when the denominator is 0),
-- score, the subtotal out of 56 with its reachable maximum, and the rank among units of the same level.
-- An indicator no system of the unit's dossiers can report (metrics.md, "Not reported") is null throughout and
-- left out of the subtotal and its maximum; a month whose last night has not landed is provisional (is_final).
-- Built from the earliest month anything changed in (macros/months.sql); the months before stand as they were.
with

observation as (
    select observed_at from {{ ref('int_observation') }}
),

-- The indicators each kind's format can report (onestop.vocabulary, as a seed).
coverage as (
    select kind, array_agg(indicator_code::text) filter (where is_reported) as reported
    from {{ ref('indicator_coverage') }}
    group by 1
),

units as (
    select * from {{ ref('dim_unit') }}
),

-- Each indicator's maximum, target rate and score with nothing in scope (dim_indicator): the constants live there.
rules as (
    select
        {% for code in scorecard_codes() + ['5_4'] -%}
        max(max_points) filter (where column_suffix = '{{ code }}') as max_{{ code }},
        max(target_rate) filter (where column_suffix = '{{ code }}') as target_{{ code }},
        max(score_when_none) filter (where column_suffix = '{{ code }}') as none_{{ code }}
        {{- ',' if not loop.last }}
        {% endfor %}
    from {{ ref('dim_indicator') }}
),

-- Not materialized (PostgreSQL would, as it is read four times): each reading then uses fct_dossiers' indexes
-- (the first receipt, those received, ended or processed in the months rebuilt) instead of a copy of every dossier.
all_dossiers as not materialized (
    select * from {{ ref('fct_dossiers') }}
),

-- The dossiers received in a month built, and those ended in one, with the indicators their system can report: each
-- read by its own index, only what it counts. (One copy of both, every column, read twice, was written to disk
-- whole: 190 MB and a second of a night.)
received_dossiers as (
    select
        all_dossiers.unit_code,
        all_dossiers.received_at,
        all_dossiers.is_accepted,
        all_dossiers.channel,
        all_dossiers.has_fee,
        all_dossiers.is_paid_online,
        all_dossiers.is_digitized,
        all_dossiers.has_reused_data,
        coalesce(coverage.reported, '{}') as reported
    from all_dossiers
    left join coverage on all_dossiers.kind = coverage.kind
    where {{ in_months_rebuilt('all_dossiers.received_at', first_month) }}
),

ended_dossiers as (
    select
        all_dossiers.unit_code,
        all_dossiers.end_at,
        all_dossiers.end_status,
        all_dossiers.issues_result,
        all_dossiers.is_accepted,
        all_dossiers.has_electronic_result,
        coalesce(coverage.reported, '{}') as reported
    from all_dossiers
    left join coverage on all_dossiers.kind = coverage.kind
    where {{ in_months_rebuilt('all_dossiers.end_at', first_month) }}
),

dossier_months as (
    select * from {{ ref('fct_dossier_month') }}
    where {{ in_months_rebuilt('month_start', first_month) }}
),

-- The dossiers that can have a month rebuilt: a dossier's months run from its receipt's to its end's, or on while it
-- is open, so it ended in one of them or is open. Read by fct_dossiers' index on its end, not every dossier (a
-- fifth of the scorecard's night).
processed_dossiers as (
    select all_dossiers.dossier_code, all_dossiers.unit_code, all_dossiers.kind
    from all_dossiers
    where {{ in_months_rebuilt('all_dossiers.end_at', first_month) }} or all_dossiers.end_at is null
),

all_feedback as (
    select * from {{ ref('fct_feedback') }}
),

feedback as (
    select all_feedback.*, coalesce(coverage.reported, '{}') as reported
    from all_feedback
    left join coverage on all_feedback.kind = coverage.kind
    where not all_feedback.is_transferred_out and all_feedback.intake_at is not null
),

months as (
    select
        month_start::date as month_start,
        -- The moment open items are judged: the month's last second, or where the data stands if earlier.
        least(month_start + interval '1 month' - interval '1 second', observation.observed_at) as month_end,
        -- Final once the month's last night has landed; until then provisional, judged where the data stands.
        observation.observed_at >= month_start + interval '1 month' - interval '1 second' as is_final,
        observation.observed_at as data_as_of
    from observation
    cross join lateral generate_series(
        (select date_trunc('month', min(all_dossiers.received_at)) from all_dossiers),
        date_trunc('month', observation.observed_at),
        interval '1 month'
    ) as series (month_start)
    where {{ in_months_rebuilt('series.month_start', first_month) }}
),

received as (
    select
        dossiers.unit_code,
        date_trunc('month', dossiers.received_at)::date as month_start,
        count(*) as received,
        {{ indicator_counts('3_3', 'true', 'dossiers.channel = 2') }},
        {{ indicator_counts('3_6', 'dossiers.has_fee', 'dossiers.is_paid_online') }},
        {{ indicator_counts('4_2', 'true', 'dossiers.is_digitized') }},
        {{ indicator_counts('4_3', 'true', 'dossiers.has_reused_data') }}
    from received_dossiers as dossiers
    where dossiers.is_accepted
    group by 1, 2
),

finished as (
    select
        dossiers.unit_code,
        date_trunc('month', dossiers.end_at)::date as month_start,
        {{ indicator_counts('4_1', 'true', 'dossiers.has_electronic_result') }}
    from ended_dossiers as dossiers
    where dossiers.end_status in (9, 10) and dossiers.issues_result and dossiers.is_accepted
    group by 1, 2
),

timeliness as (
    select
        dossiers.unit_code,
        dossier_months.month_start,
        {{ indicator_counts('2_1', 'true', 'not dossier_months.is_late') }}
    from dossier_months
    inner join processed_dossiers as dossiers on dossier_months.dossier_code = dossiers.dossier_code
    left join coverage on dossiers.kind = coverage.kind
    group by 1, 2
),

feedback_in_scope as (
    select
        feedback.unit_code,
        feedback.reported,
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
    select unit_code, month_start, {{ indicator_counts('5_2', 'true', 'is_on_time') }}
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
        {% for code, source in [('2_1', 'timeliness'), ('3_3', 'received'), ('3_6', 'received'), ('4_1', 'finished'),
            ('4_2', 'received'), ('4_3', 'received'), ('5_2', 'feedback_counts')] -%}
        {#- Counts are whole numbers for BI (a sum of bigints is numeric in PostgreSQL). #}
        coalesce(sum({{ source }}.all_{{ code }}), 0)::integer as all_{{ code }},
        coalesce(sum({{ source }}.d_{{ code }}), 0)::integer as d_{{ code }},
        coalesce(sum({{ source }}.n_{{ code }}), 0)::integer as n_{{ code }},
        {% endfor -%}
        coalesce(sum(received.received), 0)::integer as received,
        coalesce(sum(feedback_taken_in.taken_in), 0)::integer as feedback_taken_in
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

-- Not reported: the unit-month has items for the indicator, but none from a system able to record its input.
reported as (
    select
        view,
        unit_code,
        level,
        month_start,
        {% for code in scorecard_codes() -%}
        not(d_{{ code }} = 0 and all_{{ code }} > 0) as is_reported_{{ code }},
        case when not (d_{{ code }} = 0 and all_{{ code }} > 0) then n_{{ code }} end as n_{{ code }},
        case when not (d_{{ code }} = 0 and all_{{ code }} > 0) then d_{{ code }} end as d_{{ code }},
        {% endfor -%}
        feedback_taken_in,
        received
    from counted
),

rated as (
    select
        reported.*,
        {% for code in scorecard_codes() -%}
        n_{{ code }}::numeric / nullif(d_{{ code }}, 0) as rate_{{ code }},
        {% endfor -%}
        -- 5.4's feedback share: feedback taken in over every dossier received, whatever its system reports.
        case when received > 0 then feedback_taken_in::numeric / received else 0 end as feedback_share
    from reported
),

scored as (
    select
        rated.*,
        {% for code in scorecard_codes() -%}
        {{ indicator_score(code, 'rated.rate_' ~ code, 'rated.d_' ~ code) }} as score_{{ code }},
        {% endfor -%}
        -- greatest() skips nulls: without a 2.1 rate there is no 5.4 rate.
        case
            when rated.rate_2_1 is not null then greatest(0, 1 - ((1 - rated.rate_2_1) + rated.feedback_share))
        end as rate_5_4
    from rated
    cross join rules
),

totalled as (
    select
        scored.*,
        {{ indicator_score('5_4', 'scored.rate_5_4') }} as score_5_4
    from scored
    cross join rules
),

subtotalled as (
    select
        totalled.*,
        -- The scores that are not null, and the most those indicators could have given.
        {% for code in scorecard_codes() + ['5_4'] -%}
        coalesce(totalled.score_{{ code }}, 0){{ ' +' if not loop.last }}
        {% endfor -%}
            as subtotal,
        {% for code in scorecard_codes() + ['5_4'] -%}
        (case when totalled.score_{{ code }} is null then 0 else rules.max_{{ code }} end){{ ' +' if not loop.last }}
        {% endfor -%}
            as max_points
    from totalled
    cross join rules
)

select
    subtotalled.view,
    subtotalled.unit_code,
    subtotalled.level,
    subtotalled.month_start,
    {% for code in scorecard_codes() -%}
    subtotalled.n_{{ code }},
    subtotalled.d_{{ code }},
    {% endfor -%}
    subtotalled.feedback_taken_in,
    {% for code in scorecard_codes() -%}
    subtotalled.rate_{{ code }},
    {% endfor -%}
    subtotalled.feedback_share,
    {% for code in scorecard_codes() -%}
    subtotalled.score_{{ code }},
    {% endfor -%}
    subtotalled.rate_5_4,
    subtotalled.score_5_4,
    subtotalled.subtotal,
    subtotalled.max_points,
    subtotalled.subtotal / nullif(subtotalled.max_points, 0) as subtotal_ratio,
    -- Ranked on the ratio rounded to 10 places: decimal division leaves residue in the 20th place (6 * 2/3 is
    -- 3.99999999999999999998), which must not split units whose scores are equal.
    rank() over (
        partition by subtotalled.view, subtotalled.month_start, subtotalled.level
        order by round(subtotalled.subtotal / nullif(subtotalled.max_points, 0), 10) desc
    ) as rank_in_level,
    {% for code in scorecard_codes() -%}
    subtotalled.is_reported_{{ code }},
    {% endfor -%}
    months.is_final,
    months.data_as_of,
    {{ run_stamp() }} as refreshed_at
from subtotalled
inner join months on subtotalled.month_start = months.month_start
