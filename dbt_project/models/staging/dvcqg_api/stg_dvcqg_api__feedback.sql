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
        fields."MaDonVi" as unit_code,
        nullif(fields."PhanLoai", '')::smallint as category,
        {{ api_ts('fields."NgayGui"') }} as sent_at,
        {{ api_ts('fields."NgayTiepNhan"') }} as intake_at,
        {{ api_ts('fields."NgayXuLy"') }} as handled_at,
        {{ api_ts('fields."NgayCongKhai"') }} as published_at,
        status_map.status_code
    from records
    -- Every field in one pass: each `payload ->> field` would decompress the payload again.
    cross join lateral jsonb_to_record(records.payload) as fields (
        "NgayGui" text, "NgayTiepNhan" text, "NgayXuLy" text, "NgayCongKhai" text, "MaDonVi" text, "PhanLoai" text,
        "TrangThai" text
    )
    left join status_map on fields."TrangThai" = status_map.vendor_status
)

select * from renamed
