{#- received_at, end_at: the monthly marts read the dossiers received or ended in the months they rebuild. -#}
{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    post_hook="{{ forget_retracted_dossiers() }}",
    meta={'build_stamp': 'refreshed_at'},
    indexes=[
        {'columns': ['dossier_code'], 'unique': true}, {'columns': ['refreshed_at']},
        {'columns': ['received_at']}, {'columns': ['end_at']},
    ],
) }}
-- depends_on: {{ ref('stg_csv_drop__retractions') }}

-- One row per dossier: who received it (as was and as is), how, its due date, its end and its judgement.
with

lifecycle as (
    select * from {{ ref('int_dossier_lifecycle') }}
    where {{ refreshed_since_last_build('refreshed_at') }}
),

units as (
    select * from {{ ref('dim_unit') }}
)

select
    lifecycle.dossier_code,
    lifecycle.system_id,
    lifecycle.kind,
    lifecycle.unit_code,
    coalesce(units.current_unit_code, lifecycle.unit_code) as current_unit_code,
    units.unit_code is not null as is_unit_known,
    lifecycle.procedure_code,
    lifecycle.is_in_catalogue,
    lifecycle.channel,
    lifecycle.online_level,
    lifecycle.applicant_type,
    lifecycle.applicant_name_hash,
    lifecycle.applicant_id_hash,
    lifecycle.status_code,
    lifecycle.is_accepted,
    lifecycle.is_withdrawn,
    lifecycle.is_history_after_withdrawal,
    lifecycle.received_at,
    lifecycle.clock_started_at,
    lifecycle.due_at as appointment_at,
    lifecycle.statutory_due_at,
    lifecycle.effective_due_at as due_at,
    lifecycle.is_due_statutory,
    lifecycle.end_at,
    lifecycle.end_status,
    lifecycle.returned_at,
    lifecycle.is_digitized,
    lifecycle.paid_online,
    lifecycle.paid_online in (1, 2) as is_paid_online,
    lifecycle.has_reused_data,
    lifecycle.has_electronic_result,
    lifecycle.has_fee,
    lifecycle.issues_result,
    lifecycle.supplement_count,
    lifecycle.changed_at as last_changed_at,
    lifecycle.refreshed_at
from lifecycle
left join units on lifecycle.unit_code = units.unit_code
