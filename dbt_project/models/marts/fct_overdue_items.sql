{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook=["{{ delete_months_rebuilt(first_month_to_rebuild(), also=late_items_rebuilt()) }}"],
    meta={'build_stamp': 'refreshed_at'},
) }}
-- depends_on: {{ ref('int_dossier_lifecycle') }}
-- depends_on: {{ ref('int_feedback_versions_unioned') }}
-- depends_on: {{ ref('stg_csv_drop__retractions') }}
-- depends_on: {{ ref('int_mart_dimensions') }}
{%- set first_month = first_month_to_rebuild() %}
{%- set built_at = last_build_stamp() %}

-- The accountability lists: every dossier judged late in a month (finished late, or still open and past due at
-- its end) and every feedback item in scope that was not handled on time, with who holds it. Built from the
-- earliest month anything changed in (macros/months.sql), and the rows of the dossiers rebuilt and the feedback
-- items landed since (they show an item's status as it is now); the rest of the months before stand as built.
with

-- Not materialized (PostgreSQL would, as it is read three times): each reading then uses the index on month_start
-- (the first month, the latest, the months rebuilt) instead of a copy of every dossier-month.
all_dossier_months as not materialized (
    select * from {{ ref('fct_dossier_month') }}
),

-- The late dossier-months of the months rebuilt, and of a dossier rebuilt since in any month: its row there shows its
-- status and end as they are now, though its judgement there stands.
dossier_months as (
    select * from all_dossier_months
    where
        is_late
        and (
            {{ in_months_rebuilt('month_start', first_month) }}
            or {{ dossier_rebuilt_since('dossier_code', built_at) }}
        )
),

dossiers as (
    select * from {{ ref('fct_dossiers') }}
),

procedures as (
    select * from {{ ref('dim_procedure') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

observation as (
    select observed_at from {{ ref('int_observation') }}
),

feedback as (
    select * from {{ ref('fct_feedback') }}
    where not is_transferred_out and intake_at is not null
),

units as (
    select unit_code, valid_to from {{ ref('dim_unit') }}
),

-- The months dossiers were processed in, from the first to the latest (a dossier rebuilt since may be late in any).
months as (
    select
        series.month_start::date as month_start,
        least(series.month_start + interval '1 month' - interval '1 second', observation.observed_at) as month_end,
        -- Provisional until the month's last night has landed (its open items are judged where the data stands).
        observation.observed_at >= series.month_start + interval '1 month' - interval '1 second' as is_final
    from observation
    cross join lateral generate_series(
        (select min(all_dossier_months.month_start)::timestamp from all_dossier_months),
        (select max(all_dossier_months.month_start)::timestamp from all_dossier_months),
        interval '1 month'
    ) as series (month_start)
),

late_dossiers as (
    select
        'dossier' as item_type,
        dossier_months.month_start,
        dossiers.unit_code,
        dossiers.current_unit_code,
        dossiers.dossier_code as item_code,
        dossiers.procedure_code,
        procedures.procedure_name,
        dossiers.received_at,
        dossier_months.due_at,
        dossier_months.adjusted_end_at,
        dossier_months.is_open,
        dossier_months.supplement_requests,
        dossier_months.working_days_overdue,
        dossier_months.handler,
        dossier_months.department,
        months.is_final,
        dossiers.dossier_code as source_code,
        dossiers.end_at,
        dossiers.status_code,
        null::integer as category,
        -- Why it is late (the report words each): still open past its due date, finished after it, or finished in
        -- time but asked for supplements more than once, which makes a dossier late whatever its dates.
        case
            when dossier_months.is_open then 'open_past_due'
            when dossier_months.adjusted_end_at > dossier_months.due_at then 'finished_late'
            when dossier_months.supplement_requests > 1 then 'repeated_supplements'
            else 'finished_late'
        end as late_reason
    from dossier_months
    inner join dossiers on dossier_months.dossier_code = dossiers.dossier_code
    inner join months on dossier_months.month_start = months.month_start
    left join procedures on dossiers.procedure_code = procedures.procedure_code
),

late_feedback as (
    select
        'feedback' as item_type,
        months.month_start,
        feedback.unit_code,
        feedback.current_unit_code,
        feedback.feedback_id as item_code,
        null::text as procedure_code,
        null::text as procedure_name,
        feedback.intake_at as received_at,
        (case when feedback.is_refused then feedback.refusal_due_on else feedback.answer_due_on end) + time '17:00'
            as due_at,
        coalesce(least(feedback.handled_at, months.month_end), months.month_end) as adjusted_end_at,
        feedback.handled_at is null or feedback.handled_at > months.month_end as is_open,
        0::bigint as supplement_requests,
        greatest(0, end_day.working_day_seq - due_day.working_day_seq) as working_days_overdue,
        null::text as handler,
        null::text as department,
        months.is_final,
        split_part(feedback.feedback_id, ':', 2) as source_code,
        feedback.handled_at as end_at,
        feedback.status_code,
        feedback.category::integer as category,
        case when feedback.handled_at is null or feedback.handled_at > months.month_end then 'open_past_due'
            else 'finished_late' end as late_reason
    from feedback
    inner join months
        on feedback.intake_at <= months.month_end
        and (feedback.handled_at is null or feedback.handled_at >= months.month_start)
    left join calendar as due_day on feedback.answer_due_on = due_day.day
    left join calendar as end_day
        on coalesce(least(feedback.handled_at, months.month_end), months.month_end)::date = end_day.day
    where
        (
            {{ in_months_rebuilt('months.month_start', first_month) }}
            or {{ feedback_landed_since('feedback.feedback_id', built_at) }}
        )
        and case
            when feedback.handled_at is null or feedback.handled_at > months.month_end
                then months.month_end::date > feedback.answer_due_on
            when feedback.is_refused then feedback.handled_at::date > feedback.refusal_due_on
            else feedback.handled_at::date > feedback.answer_due_on
        end
),

items as (
    select * from late_dossiers
    union all
    select * from late_feedback
)

select
    items.*,
    -- The report's lists: as was, an item stays with the unit that received it while that unit existed in the
    -- month; what a unit abolished before the month still held is listed under its successor (someone holds it).
    case
        when received_by.valid_to < items.month_start then items.current_unit_code
        else items.unit_code
    end as as_was_unit_code,
    -- Who holds it (open) or handled it last (finished), when the source names a person: a placeholder a system
    -- writes instead of a name (district-systems.md, "Chuyên viên") is not one.
    case when items.handler in ({{ handler_placeholders() }}) then null else items.handler end as holder,
    -- Where the data stands for the item's month: the end of the last night landed while the month is in progress,
    -- its last second once it is final (the moment its open items are judged at).
    least(items.month_start + interval '1 month' - interval '1 second', observation.observed_at) as data_as_of,
    {{ run_stamp() }} as refreshed_at
from items
left join units as received_by on items.unit_code = received_by.unit_code
cross join observation
