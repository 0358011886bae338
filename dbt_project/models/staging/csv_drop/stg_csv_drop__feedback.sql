-- One row per landed version (a day's file row) of a feedback item from a csv_drop system.
with

records as (
    {{ standing_csv_versions('feedback_records') }}
),

status_map as (
    select vendor_status, status_code from {{ ref('feedback_status_map') }}
    where kind = 'csv_drop'
),

renamed as (
    select
        records.system_id,
        records.kind,
        records.extracted_at,
        records.changed_at,
        records.system_id || ':' || records.record_key as feedback_id,
        fields."Đơn vị" as unit_code,
        case fields."Phân loại"
            when 'Quy định hành chính' then 1 when 'Hành vi cán bộ' then 2
        end::smallint as category,
        {{ csv_ts('fields."Ngày gửi"') }} as sent_at,
        {{ csv_ts('fields."Ngày tiếp nhận"') }} as intake_at,
        {{ csv_ts('fields."Ngày trả lời"') }} as handled_at,
        {{ csv_ts('fields."Ngày công khai"') }} as published_at,
        status_map.status_code
    from records
    -- Every field in one pass: each `payload ->> field` would decompress the payload again.
    cross join lateral jsonb_to_record(records.payload) as fields (
        "Ngày gửi" text, "Ngày tiếp nhận" text, "Ngày trả lời" text, "Ngày công khai" text, "Đơn vị" text,
        "Phân loại" text, "Trạng thái" text
    )
    left join status_map on fields."Trạng thái" = status_map.vendor_status
)

select * from renamed
