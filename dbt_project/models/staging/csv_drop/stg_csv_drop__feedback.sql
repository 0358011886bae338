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
        records.payload ->> 'Đơn vị' as unit_code,
        case records.payload ->> 'Phân loại'
            when 'Quy định hành chính' then 1 when 'Hành vi cán bộ' then 2
        end::smallint as category,
        {{ csv_ts("records.payload ->> 'Ngày gửi'") }} as sent_at,
        {{ csv_ts("records.payload ->> 'Ngày tiếp nhận'") }} as intake_at,
        {{ csv_ts("records.payload ->> 'Ngày trả lời'") }} as handled_at,
        {{ csv_ts("records.payload ->> 'Ngày công khai'") }} as published_at,
        status_map.status_code
    from records
    left join status_map on records.payload ->> 'Trạng thái' = status_map.vendor_status
)

select * from renamed
