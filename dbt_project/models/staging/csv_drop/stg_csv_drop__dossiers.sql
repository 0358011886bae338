-- One row per landed version (a day's file row) of a dossier from a csv_drop system. A csv system keeps no
-- history: each version is its state at the end of the file's day, and its pauses are the latest request's dates.
with

records as (
    {{ standing_csv_versions('dossier_records') }}
),

pseudonym_key as (
    select ipad, opad from {{ source('audit', 'pseudonym_key') }}
),

status_map as (
    select vendor_status, status_code from {{ ref('status_map') }}
    where kind = 'csv_drop'
),

channel_map as (
    select vendor_channel, channel from {{ ref('channel_map') }}
),

renamed as (
    select
        records.system_id,
        records.kind,
        records.batch_id,
        records.extracted_at,
        records.changed_at,
        records.record_key as dossier_code,
        records.payload ->> 'Mã thủ tục' as procedure_code,
        records.payload ->> 'Đơn vị tiếp nhận' as unit_code,
        channel_map.channel::smallint as channel,
        nullif(records.payload ->> 'Mức độ DVC', '')::smallint as online_level,
        null::smallint as applicant_type,
        {{ pseudonymize("records.payload ->> 'Người nộp'") }} as applicant_name_hash,
        {{ pseudonymize("records.payload ->> 'Số giấy tờ'") }} as applicant_id_hash,
        {{ pseudonymize("records.payload ->> 'Điện thoại'") }} as applicant_phone_hash,
        null::text as applicant_email_hash,
        {{ csv_ts("records.payload ->> 'Ngày tiếp nhận'") }} as received_at,
        {{ csv_ts("records.payload ->> 'Ngày hẹn trả'") }} as due_at,
        {{ csv_ts("records.payload ->> 'Ngày kết thúc xử lý'") }} as processing_end_at,
        {{ csv_ts("records.payload ->> 'Ngày trả kết quả'") }} as returned_at,
        status_map.status_code,
        records.payload ->> 'Số hóa thành phần' = 'Có' as is_digitized,
        case when records.payload ->> 'Thanh toán trực tuyến' = 'Có' then 1 else 0 end::smallint as paid_online,
        -- The format has no such field: unknown, not "no" (4.3 is not reported for it: seed indicator_coverage).
        null::boolean as has_reused_data,
        coalesce(records.payload ->> 'Kết quả điện tử', '') <> '' as has_electronic_result,
        coalesce(nullif(records.payload ->> 'Số lần yêu cầu bổ sung', '')::integer, 0) as supplement_count,
        {{ csv_ts("records.payload ->> 'Ngày yêu cầu bổ sung'") }} as latest_request_at,
        {{ csv_ts("records.payload ->> 'Ngày nhận bổ sung'") }} as latest_request_returned_at,
        records.payload ->> 'Cán bộ xử lý' as handler,
        records.payload ->> 'Phòng ban xử lý' as department
    from records
    cross join pseudonym_key
    left join status_map on records.payload ->> 'Trạng thái' = status_map.vendor_status
    left join channel_map on records.payload ->> 'Kênh nộp' = channel_map.vendor_channel
)

select * from renamed
