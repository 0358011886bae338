-- One row per landed version of a dossier from a dvcqg_api system, in the canonical vocabulary.
with

records as (
    select * from {{ source('raw', 'dossier_records') }}
    where kind = 'dvcqg_api'
),

pseudonym_key as (
    select ipad, opad from {{ source('audit', 'pseudonym_key') }}
),

status_map as (
    select vendor_status, status_code from {{ ref('status_map') }}
    where kind = 'dvcqg_api'
),

renamed as (
    select
        records.system_id,
        records.kind,
        records.batch_id,
        records.extracted_at,
        records.changed_at,
        records.record_key as dossier_code,
        fields."MaTTHC" as procedure_code,
        fields."MaDonViTiepNhan" as unit_code,
        nullif(fields."KenhThucHien", '')::smallint as channel,
        nullif(fields."MucDoDVC", '')::smallint as online_level,
        nullif(fields."LoaiDoiTuong", '')::smallint as applicant_type,
        {{ pseudonymize('fields."ChuHoSo"') }} as applicant_name_hash,
        {{ pseudonymize('fields."SoDinhDanh"') }} as applicant_id_hash,
        {{ pseudonymize('fields."SoDienThoai"') }} as applicant_phone_hash,
        {{ pseudonymize('fields."Email"') }} as applicant_email_hash,
        {{ api_ts('fields."NgayTiepNhan"') }} as received_at,
        {{ api_ts('fields."NgayHenTra"') }} as due_at,
        {{ api_ts('fields."NgayKetThucXuLy"') }} as processing_end_at,
        {{ api_ts('fields."NgayTra"') }} as returned_at,
        status_map.status_code,
        fields."HoSoCoThanhPhanSoHoa" = '1' as is_digitized,
        coalesce(nullif(fields."DuocThanhToanTrucTuyen", '')::smallint, 0) as paid_online,
        coalesce(jsonb_path_exists(fields."TaiLieuNop", '$[*] ? (@.DuocLayTuKhoDMQG == "1")'), false)
            as has_reused_data,
        coalesce(jsonb_path_exists(
            fields."DanhSachGiayToKetQua", '$[*] ? (@.MaGiayToKetQua != "" && @.DuongDanTepTinKetQua != "")'
        ), false) as has_electronic_result,
        jsonb_array_length(coalesce(fields."DanhSachHoSoBoSung", '[]')) as supplement_count,
        -- The nested lists the history and supplement models unnest; never the whole payload (personal data).
        fields."QuaTrinhXuLy" as processing_steps,
        fields."DanhSachHoSoBoSung" as supplement_requests
    from records
    -- Every field in one pass: each `payload ->> field` would decompress the payload again.
    cross join lateral jsonb_to_record(records.payload) as fields (
        "TaiLieuNop" jsonb, "DanhSachGiayToKetQua" jsonb, "ChuHoSo" text, "SoDinhDanh" text, "SoDienThoai" text,
        "Email" text, "NgayTiepNhan" text, "NgayHenTra" text, "NgayKetThucXuLy" text, "NgayTra" text, "MaTTHC" text,
        "MaDonViTiepNhan" text, "KenhThucHien" text, "MucDoDVC" text, "LoaiDoiTuong" text,
        "HoSoCoThanhPhanSoHoa" text, "DuocThanhToanTrucTuyen" text, "DanhSachHoSoBoSung" jsonb,
        "QuaTrinhXuLy" jsonb, "TrangThaiHoSo" text
    )
    cross join pseudonym_key
    left join status_map on fields."TrangThaiHoSo" = status_map.vendor_status
)

select * from renamed
