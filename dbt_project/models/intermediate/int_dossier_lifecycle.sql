{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    indexes=[{'columns': ['dossier_code'], 'unique': true}, {'columns': ['refreshed_at']}],
) }}

-- One row per dossier: acceptance, end of processing (by the priority rule), withdrawal, clock start and due.
with

dossiers as (
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

calendar as (
    select * from {{ ref('dim_date') }}
),

working_days as (
    select * from {{ ref('int_working_days') }}
),

-- End of processing: the first 9 (finished) in the history, else the first 10 (handed over), else the first 8
-- (stopped). A csv_drop system's own end date and status stand in for its history.
history_ends as (
    select
        dossier_code,
        min(acted_at) filter (where status_code = 9) as finished_at,
        min(acted_at) filter (where status_code = 10) as handed_over_at,
        min(acted_at) filter (where status_code = 8) as stopped_at
    from history
    group by dossier_code
),

ends as (
    select
        dossiers.dossier_code,
        case
            when dossiers.kind = 'csv_drop'
                then case when dossiers.status_code in (8, 9, 10) then dossiers.processing_end_at end
            else coalesce(history_ends.finished_at, history_ends.handed_over_at, history_ends.stopped_at)
        end as end_at,
        case
            when dossiers.kind = 'csv_drop'
                then case when dossiers.status_code in (9, 10) then 9 when dossiers.status_code = 8 then 8 end
            when history_ends.finished_at is not null then 9
            when history_ends.handed_over_at is not null then 10
            when history_ends.stopped_at is not null then 8
        end as end_status
    from dossiers
    left join history_ends on dossiers.dossier_code = history_ends.dossier_code
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

lifecycle as (
    select
        clocked.*,
        ends.end_at,
        ends.end_status,
        clocked.status_code not in (1, 3) as is_accepted,
        clocked.status_code = 7 as is_withdrawn,
        -- N working days from the clock start: 17:00 on the N-th working day after the day it starts.
        due_day.day + time '17:00' as statutory_due_at
    from clocked
    left join ends on clocked.dossier_code = ends.dossier_code
    left join calendar as start_day on clocked.clock_started_at::date = start_day.day
    left join working_days as due_day
        on due_day.working_day_seq = start_day.working_day_seq + clocked.statutory_days
)

select
    lifecycle.*,
    coalesce(lifecycle.due_at, lifecycle.statutory_due_at) as effective_due_at,
    lifecycle.due_at is null as is_due_statutory
from lifecycle
