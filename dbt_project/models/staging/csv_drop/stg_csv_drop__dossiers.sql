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
        fields."Mã thủ tục" as procedure_code,
        fields."Đơn vị tiếp nhận" as unit_code,
        channel_map.channel::smallint as channel,
        nullif(fields."Mức độ DVC", '')::smallint as online_level,
        null::smallint as applicant_type,
        {{ pseudonymize('fields."Người nộp"') }} as applicant_name_hash,
        {{ pseudonymize('fields."Số giấy tờ"') }} as applicant_id_hash,
        {{ pseudonymize('fields."Điện thoại"') }} as applicant_phone_hash,
        null::text as applicant_email_hash,
        {{ csv_ts('fields."Ngày tiếp nhận"') }} as received_at,
        {{ csv_ts('fields."Ngày hẹn trả"') }} as due_at,
        {{ csv_ts('fields."Ngày kết thúc xử lý"') }} as processing_end_at,
        {{ csv_ts('fields."Ngày trả kết quả"') }} as returned_at,
        status_map.status_code,
        fields."Số hóa thành phần" = 'Có' as is_digitized,
        case when fields."Thanh toán trực tuyến" = 'Có' then 1 else 0 end::smallint as paid_online,
        -- The format has no such field: unknown, not "no" (4.3 is not reported for it: seed indicator_coverage).
        null::boolean as has_reused_data,
        coalesce(fields."Kết quả điện tử", '') <> '' as has_electronic_result,
        coalesce(nullif(fields."Số lần yêu cầu bổ sung", '')::integer, 0) as supplement_count,
        {{ csv_ts('fields."Ngày yêu cầu bổ sung"') }} as latest_request_at,
        {{ csv_ts('fields."Ngày nhận bổ sung"') }} as latest_request_returned_at,
        fields."Cán bộ xử lý" as handler,
        fields."Phòng ban xử lý" as department
    from records
    -- Every field in one pass: each `payload ->> field` would decompress the payload again.
    cross join lateral jsonb_to_record(records.payload) as fields (
        "Người nộp" text, "Số giấy tờ" text, "Điện thoại" text, "Ngày tiếp nhận" text, "Ngày hẹn trả" text,
        "Ngày kết thúc xử lý" text, "Ngày trả kết quả" text, "Ngày yêu cầu bổ sung" text, "Ngày nhận bổ sung" text,
        "Mã thủ tục" text, "Đơn vị tiếp nhận" text, "Mức độ DVC" text, "Số hóa thành phần" text,
        "Thanh toán trực tuyến" text, "Kết quả điện tử" text, "Số lần yêu cầu bổ sung" text, "Cán bộ xử lý" text,
        "Phòng ban xử lý" text, "Trạng thái" text, "Kênh nộp" text
    )
    cross join pseudonym_key
    left join status_map on fields."Trạng thái" = status_map.vendor_status
    left join channel_map on fields."Kênh nộp" = channel_map.vendor_channel
)

select * from renamed
