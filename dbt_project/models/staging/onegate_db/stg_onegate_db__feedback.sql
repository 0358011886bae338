-- One row per landed version of a feedback item from an onegate_db system.
with

records as (
    select * from {{ source('raw', 'feedback_records') }}
    where kind = 'onegate_db'
),

status_map as (
    select vendor_status, status_code from {{ ref('feedback_status_map') }}
    where kind = 'onegate_db'
),

renamed as (
    select
        records.system_id,
        records.kind,
        records.extracted_at,
        records.changed_at,
        records.system_id || ':' || records.record_key as feedback_id,
        records.payload ->> 'unit_code' as unit_code,
        (records.payload ->> 'category')::smallint as category,
        {{ iso_ts("records.payload ->> 'sent_at'") }} as sent_at,
        {{ iso_ts("records.payload ->> 'received_at'") }} as intake_at,
        {{ iso_ts("records.payload ->> 'answered_at'") }} as handled_at,
        {{ iso_ts("records.payload ->> 'published_at'") }} as published_at,
        status_map.status_code
    from records
    left join status_map on records.payload ->> 'status' = status_map.vendor_status
)

select * from renamed
