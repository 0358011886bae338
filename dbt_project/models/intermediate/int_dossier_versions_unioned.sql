{{ config(materialized='view') }}

-- Every landed dossier version from every kind of system, in one canonical shape.
{% set common %}
    system_id, kind, batch_id, extracted_at, changed_at, dossier_code, procedure_code, unit_code, channel,
    online_level, applicant_type, applicant_name_hash, applicant_id_hash, applicant_phone_hash, applicant_email_hash,
    received_at, due_at, processing_end_at, returned_at, status_code, is_digitized, paid_online, has_reused_data,
    has_electronic_result, supplement_count
{% endset %}

with

dvcqg_api as (
    select {{ common }}, null::timestamp as latest_request_at, null::timestamp as latest_request_returned_at,
        null::text as handler, null::text as department
    from {{ ref('stg_dvcqg_api__dossiers') }}
),

onegate_db as (
    select {{ common }}, null::timestamp as latest_request_at, null::timestamp as latest_request_returned_at,
        null::text as handler, null::text as department
    from {{ ref('stg_onegate_db__dossiers') }}
),

csv_drop as (
    select {{ common }}, latest_request_at, latest_request_returned_at, handler, department
    from {{ ref('stg_csv_drop__dossiers') }}
),

unioned as (
    select * from dvcqg_api
    union all
    select * from onegate_db
    union all
    select * from csv_drop
)

select * from unioned
