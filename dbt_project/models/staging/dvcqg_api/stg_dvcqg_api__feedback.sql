-- One row per landed version of a feedback item (PAKN) from a dvcqg_api system.
with

records as (
    select * from {{ source('raw', 'feedback_records') }}
    where kind = 'dvcqg_api'
),

status_map as (
    select vendor_status, status_code from {{ ref('feedback_status_map') }}
    where kind = 'dvcqg_api'
),

renamed as (
    select
        records.system_id,
        records.kind,
        records.extracted_at,
        records.changed_at,
        records.system_id || ':' || records.record_key as feedback_id,
        records.payload ->> 'MaDonVi' as unit_code,
        nullif(records.payload ->> 'PhanLoai', '')::smallint as category,
        {{ api_ts("records.payload ->> 'NgayGui'") }} as sent_at,
        {{ api_ts("records.payload ->> 'NgayTiepNhan'") }} as intake_at,
        {{ api_ts("records.payload ->> 'NgayXuLy'") }} as handled_at,
        {{ api_ts("records.payload ->> 'NgayCongKhai'") }} as published_at,
        status_map.status_code
    from records
    left join status_map on records.payload ->> 'TrangThai' = status_map.vendor_status
)

select * from renamed
