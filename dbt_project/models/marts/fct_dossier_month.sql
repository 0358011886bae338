{{ config(
    materialized='incremental',
    unique_key=['dossier_code', 'month_start'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ forget_retracted_dossiers() }}",
    meta={'build_stamp': 'refreshed_at'},
    indexes=[
        {'columns': ['dossier_code']}, {'columns': ['month_start']}, {'columns': ['refreshed_at']},
        {'columns': ['changed_at']},
    ],
    pre_hook=["{{ delete_months_dossiers_left() }}"],
) }}
-- depends_on: {{ ref('stg_csv_drop__retractions') }}
{%- set judged = [
    'is_open', 'judged_at', 'supplement_requests', 'pause_hours', 'adjusted_end_at', 'due_at',
    'timeliness', 'is_late', 'working_days_overdue', 'handler', 'department',
] %}

-- One row per dossier per month in which it was processed (accepted by the end of the month, and ended in it or
-- still open at its end), with that month's judgement: adjusted end, due, early / on time / late, who held it.
with

-- Incrementally: the dossiers rebuilt upstream since the last build, every month of them; and those open in the
-- latest month held, from that month on only: their judgement there moves with the observation, and a new month
-- adds a row, while their earlier months were judged at those months' ends and cannot change.
all_dossiers as (
    select * from {{ ref('fct_dossiers') }}
),

{% if is_incremental() -%}
latest_month as (
    select max(built.month_start) as month_start from {{ this }} as built
),

-- Each set found through its own index: asked as one filter with an `or`, they cost a scan of every dossier.
to_judge as (
    select rebuilt.dossier_code from (select * from {{ ref('fct_dossiers') }}) as rebuilt
    where {{ refreshed_since_last_build('rebuilt.refreshed_at') }}
    union
    select built.dossier_code from {{ this }} as built
    where built.is_open and built.month_start = (select latest_month.month_start from latest_month)
),

{% endif -%}
dossiers as (
    select
        all_dossiers.*,
        {% if is_incremental() -%}
        case
            when {{ refreshed_since_last_build('all_dossiers.refreshed_at') }}
                then date_trunc('month', all_dossiers.received_at)
            else (select latest_month.month_start from latest_month)
        end as first_month
        {%- else -%}
        date_trunc('month', all_dossiers.received_at) as first_month
        {%- endif %}
    from all_dossiers
    where all_dossiers.is_accepted and not all_dossiers.is_withdrawn
        and {{ only_dossiers_in('to_judge', 'all_dossiers.dossier_code') }}
),

observation as (
    select observed_at from {{ ref('int_observation') }}
),

supplements as (
    select * from {{ ref('int_dossier_supplements') }}
),

history as (
    select * from {{ ref('int_dossier_history') }}
    where {{ only_dossiers_in('dossiers') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

months as (
    select
        dossiers.dossier_code,
        dossiers.end_at,
        dossiers.due_at,
        dossiers.refreshed_at,
        series.month_start::date as month_start,
        -- The moment of judgement for what is still open: the end of the month (23:59:59), or the end of the data.
        least(series.month_start + interval '1 month' - interval '1 second', observation.observed_at) as month_end
    from dossiers
    cross join observation
    cross join lateral generate_series(
        dossiers.first_month,
        {{ last_processed_month('dossiers', 'observation.observed_at') }},
        interval '1 month'
    ) as series (month_start)
),

judged as (
    select
        months.dossier_code,
        months.month_start,
        months.end_at is null or months.end_at > months.month_end as is_open,
        months.refreshed_at,
        case when months.end_at <= months.month_end then months.end_at else months.month_end end as judged_at,
        months.due_at
    from months
),

-- The supplements up to each moment of judgement, grouped with the month's row itself. Grouped apart and joined back
-- by key, the join was sized for the thousand months a dossier the planner assumes of generate_series: on a night,
-- 25,000 rows hashed in 2,048 batches on disk, 3 s of the model's 4.
paused as (
    select
        judged.dossier_code,
        judged.month_start,
        judged.is_open,
        judged.refreshed_at,
        judged.judged_at,
        judged.due_at,
        count(supplements.requested_at) as requests,
        min(supplements.requested_at) filter (
            where supplements.documents_returned_at is null or supplements.documents_returned_at > judged.judged_at
        ) as pending_since,
        coalesce(sum(supplements.documents_returned_at - supplements.requested_at) filter (
            where supplements.documents_returned_at <= judged.judged_at
        ), interval '0') as pause
    from judged
    left join supplements
        on judged.dossier_code = supplements.dossier_code and supplements.requested_at <= judged.judged_at
    group by
        judged.dossier_code, judged.month_start, judged.is_open, judged.refreshed_at, judged.judged_at, judged.due_at
),

adjusted as (
    select
        paused.*,
        coalesce(paused.pending_since, paused.judged_at - paused.pause) as adjusted_end_at
    from paused
),

-- Each history entry with the moment the next one took over (entries of one moment in step order): the holder at a
-- moment is the entry before it whose successor came at or after it. Joined set-wise: looked up row by row, the
-- year's 1.4 M dossier-months took 1.4 M index probes (21 s on the year where this takes 17 s, identical rows).
steps as (
    select
        history.dossier_code,
        history.acted_at,
        history.handler,
        history.department,
        lead(history.acted_at) over (
            partition by history.dossier_code order by history.acted_at, history.step_no
        ) as next_acted_at
    from history
),

-- Of those, the entries that held the dossier at some day's end (the next came on a later day, or none has yet):
-- a holder is looked for at a day's end, and only such an entry can be it. Half the year's 8 M entries are followed
-- on their own day; left out before the join, its hash table is half the size (17.3 -> 15.9 s, identical rows).
spans as (
    select * from steps
    where steps.next_acted_at is null or steps.next_acted_at >= steps.acted_at::date + 1
),

holders as (
    select
        adjusted.*,
        spans.handler,
        spans.department
    from adjusted
    left join spans
        on adjusted.dossier_code = spans.dossier_code
        and spans.acted_at < adjusted.judged_at::date + 1
        and (spans.next_acted_at is null or spans.next_acted_at >= adjusted.judged_at::date + 1)
),

judgements as (
    select
        holders.dossier_code,
        holders.month_start,
        holders.is_open,
        holders.judged_at,
        holders.requests as supplement_requests,
        -- Hours, for BI (an interval is not a number a chart can sum).
        round(extract(epoch from holders.pause) / 3600, 2) as pause_hours,
        holders.adjusted_end_at,
        holders.due_at,
        case
            when holders.requests > 1 or holders.adjusted_end_at::date > holders.due_at::date then 'late'
            when holders.adjusted_end_at::date = holders.due_at::date then 'on_time'
            else 'early'
        end as timeliness,
        holders.requests > 1 or holders.adjusted_end_at::date > holders.due_at::date as is_late,
        -- Working days after the due day up to the adjusted end's day.
        greatest(0, end_day.working_day_seq - due_day.working_day_seq) as working_days_overdue,
        holders.handler,
        holders.department,
        holders.refreshed_at
    from holders
    left join calendar as due_day on holders.due_at::date = due_day.day
    left join calendar as end_day on holders.adjusted_end_at::date = end_day.day
)

select
    judgements.*,
    -- The build that last changed the month's judgement (the monthly marts rebuild from the earliest month changed
    -- since them, macros/months.sql): a dossier rebuilt for tonight's step leaves its earlier months as they were.
    {% if is_incremental() -%}
    case
        when previous.dossier_code is not null
            and not {{ columns_differ(judged, 'judgements', 'previous') }}
            then {{ 'previous.changed_at' if has_column(this, 'changed_at') else 'null::timestamptz' }}
        else {{ run_stamp() }}
    end
    {%- else -%}
    {{ run_stamp() }}
    {%- endif %} as changed_at
from judgements
{% if is_incremental() -%}
left join (select * from {{ this }} where {{ only_dossiers_in('dossiers') }}) as previous
    on judgements.dossier_code = previous.dossier_code and judgements.month_start = previous.month_start
{%- endif %}
