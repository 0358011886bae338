{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ forget_retracted_dossiers() }}",
    meta={'build_stamp': 'refreshed_at'},
    indexes=[{'columns': ['dossier_code'], 'unique': true}, {'columns': ['refreshed_at']}],
) }}
-- depends_on: {{ ref('stg_csv_drop__retractions') }}
{#- What the monthly marts count of a dossier besides its months' judgements (which fct_dossier_month tells apart,
    month by month): in the month it is received, its receipt, acceptance and the indicators counted there; in the
    month it ends, its end and those counted there; in every month, its unit and system. -#}
{%- set at_receipt = [
    'received_at', 'is_accepted', 'is_withdrawn', 'channel', 'has_fee', 'paid_online', 'is_digitized',
    'has_reused_data',
] %}
{%- set at_end = ['end_at', 'end_status', 'is_accepted', 'issues_result', 'has_electronic_result'] %}
{%- set throughout = ['unit_code', 'kind'] %}

-- One row per dossier: acceptance, end of processing (by the priority rule), withdrawal, clock start and due.
with

-- Not materialized (nor `calendar`): read more than once (an incremental build's history filter reads it too),
-- PostgreSQL would first copy every dossier's whole row into a CTE and join from the copy (a full refresh of 1.15 M
-- dossiers, when it read them twice: 10.5 / 9.1 s with the copy, 8.4 / 8.3 s without).
dossiers as not materialized (
    select * from {{ ref('int_dossiers_deduplicated') }}
    where {{ refreshed_since_last_build('refreshed_at') }}
),

history as (
    select * from {{ ref('int_dossier_history') }}
    where {{ only_dossiers_in('dossiers') }}
),

procedures as (
    select * from {{ source('raw', 'ref_procedures') }}
),

calendar as not materialized (
    select * from {{ ref('dim_date') }}
),

working_days as (
    select * from {{ ref('int_working_days') }}
),

-- End of processing (metrics.md): the first 9 (finished), else the first 10 (handed over), else the first 8
-- (stopped). A history's status times are authoritative; the dossier's own dates stand in where it has none (a
-- csv_drop system keeps no history, and any system may hand a dossier over without recording its finish): the
-- processing end while the status says finished or stopped, the hand-over date while it says handed over.
-- A 7 anywhere in the history (or as the current status) is a withdrawal, whatever followed it.
history_marks as (
    select
        dossier_code,
        min(acted_at) filter (where status_code = 9) as finished_at,
        min(acted_at) filter (where status_code = 10) as handed_over_at,
        min(acted_at) filter (where status_code = 8) as stopped_at,
        min(acted_at) filter (where status_code = 7) as withdrawn_at
    from history
    group by dossier_code
),

clocked as (
    select
        dossiers.*,
        procedures.procedure_code is not null as is_in_catalogue,
        procedures.statutory_days,
        procedures.cutoff,
        coalesce(procedures.has_fee, false) as has_fee,
        coalesce(procedures.issues_result, false) as issues_result,
        {{ clock_start('dossiers.received_at', 'received_day', 'procedures.cutoff') }} as clock_started_at
    from dossiers
    left join procedures on dossiers.procedure_code = procedures.procedure_code
    left join calendar as received_day on dossiers.received_at::date = received_day.day
),

-- The marks are joined where the lifecycle is put together, each end computed in the row (`lateral` without a
-- `from`, which PostgreSQL folds into the row): joined apart, as a CTE per dossier, the dossiers were read twice and
-- merged on their code (a full refresh of 1.15 M dossiers: 10.9 / 8.8 s apart, 9.4 / 7.7 s here, the same rows).
lifecycle as (
    select
        clocked.*,
        ends.end_at,
        ends.end_status,
        clocked.status_code not in (1, 3) as is_accepted,
        clocked.status_code = 7 or marks.was_withdrawn as is_withdrawn,
        -- The source kept processing a dossier it had recorded as withdrawn (a fault the gate warns about).
        marks.was_withdrawn and clocked.status_code <> 7 as is_history_after_withdrawal,
        -- N working days from the clock start: 17:00 on the N-th working day after the day it starts.
        due_day.day + time '17:00' as statutory_due_at
    from clocked
    left join history_marks on clocked.dossier_code = history_marks.dossier_code
    cross join lateral (
        select
            coalesce(
                case when clocked.kind <> 'csv_drop' then history_marks.finished_at end,
                case when clocked.status_code in (9, 10) then clocked.processing_end_at end
            ) as finished_at,
            coalesce(
                case when clocked.kind <> 'csv_drop' then history_marks.handed_over_at end,
                case when clocked.status_code = 10 then clocked.returned_at end
            ) as handed_over_at,
            coalesce(
                case when clocked.kind <> 'csv_drop' then history_marks.stopped_at end,
                case when clocked.status_code = 8 then clocked.processing_end_at end
            ) as stopped_at,
            -- A csv_drop system's history is its successive files: a night that showed 7 is a withdrawal too.
            history_marks.withdrawn_at is not null as was_withdrawn
    ) as marks
    cross join lateral (
        select
            coalesce(marks.finished_at, marks.handed_over_at, marks.stopped_at) as end_at,
            case
                when marks.finished_at is not null then 9
                when marks.handed_over_at is not null then 10
                when marks.stopped_at is not null then 8
            end as end_status
    ) as ends
    left join calendar as start_day on clocked.clock_started_at::date = start_day.day
    left join working_days as due_day
        on due_day.working_day_seq = start_day.working_day_seq + clocked.statutory_days
),

counted as (
    select
        lifecycle.*,
        coalesce(lifecycle.due_at, lifecycle.statutory_due_at) as effective_due_at,
        lifecycle.due_at is null as is_due_statutory,
        -- The earliest month the dossier counts in, now or as any earlier build had it (its receipt or end may have
        -- moved).
        least(
            date_trunc('month', lifecycle.received_at),
            date_trunc('month', lifecycle.end_at)
            {%- if is_incremental() %},
            {%- if has_column(this, 'counted_since') %}
            previous.counted_since,
            {%- endif %}
            date_trunc('month', previous.received_at),
            date_trunc('month', previous.end_at)
            {%- endif %}
        )::date as counted_since,
        {% if is_incremental() -%}
        -- The earliest month whose counts this build moved (null: none, or the dossier is new), and when the
        -- dossier was built before (null: new). The monthly marts rebuild from it when that earlier build is one
        -- they saw, else from counted_since (macros/months.sql).
        case when previous.dossier_code is not null then least(
            case
                when {{ columns_differ(at_receipt, 'lifecycle', 'previous') }}
                    then least(date_trunc('month', lifecycle.received_at), date_trunc('month', previous.received_at))
            end,
            case
                when {{ columns_differ(at_end, 'lifecycle', 'previous') }}
                    then least(date_trunc('month', lifecycle.end_at), date_trunc('month', previous.end_at))
            end,
            case
                when {{ columns_differ(throughout, 'lifecycle', 'previous') }}
                    then '-infinity'::timestamp
            end
        )::date end as recount_from,
        previous.refreshed_at as previously_refreshed_at
        {%- else -%}
        null::date as recount_from,
        null::timestamptz as previously_refreshed_at
        {%- endif %}
    from lifecycle
    {% if is_incremental() -%}
    left join {{ this }} as previous on lifecycle.dossier_code = previous.dossier_code
    {%- endif %}
)

select * from counted
