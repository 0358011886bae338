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
        fields.unit_code,
        fields.category::smallint as category,
        {{ iso_ts('fields.sent_at') }} as sent_at,
        {{ iso_ts('fields.received_at') }} as intake_at,
        {{ iso_ts('fields.answered_at') }} as handled_at,
        {{ iso_ts('fields.published_at') }} as published_at,
        status_map.status_code
    from records
    -- Every field in one pass: each `payload ->> field` would decompress the payload again.
    cross join lateral jsonb_to_record(records.payload) as fields (
        sent_at text, received_at text, answered_at text, published_at text, unit_code text,
        category text, status text
    )
    left join status_map on fields.status = status_map.vendor_status
)

select * from renamed
