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
        records.payload ->> 'MaTTHC' as procedure_code,
        records.payload ->> 'MaDonViTiepNhan' as unit_code,
        nullif(records.payload ->> 'KenhThucHien', '')::smallint as channel,
        nullif(records.payload ->> 'MucDoDVC', '')::smallint as online_level,
        nullif(records.payload ->> 'LoaiDoiTuong', '')::smallint as applicant_type,
        {{ pseudonymize("records.payload ->> 'ChuHoSo'") }} as applicant_name_hash,
        {{ pseudonymize("records.payload ->> 'SoDinhDanh'") }} as applicant_id_hash,
        {{ pseudonymize("records.payload ->> 'SoDienThoai'") }} as applicant_phone_hash,
        {{ pseudonymize("records.payload ->> 'Email'") }} as applicant_email_hash,
        {{ api_ts("records.payload ->> 'NgayTiepNhan'") }} as received_at,
        {{ api_ts("records.payload ->> 'NgayHenTra'") }} as due_at,
        {{ api_ts("records.payload ->> 'NgayKetThucXuLy'") }} as processing_end_at,
        {{ api_ts("records.payload ->> 'NgayTra'") }} as returned_at,
        status_map.status_code,
        records.payload ->> 'HoSoCoThanhPhanSoHoa' = '1' as is_digitized,
        coalesce(nullif(records.payload ->> 'DuocThanhToanTrucTuyen', '')::smallint, 0) as paid_online,
        coalesce(jsonb_path_exists(records.payload, '$.TaiLieuNop[*] ? (@.DuocLayTuKhoDMQG == "1")'), false)
            as has_reused_data,
        coalesce(jsonb_path_exists(
            records.payload,
            '$.DanhSachGiayToKetQua[*] ? (@.MaGiayToKetQua != "" && @.DuongDanTepTinKetQua != "")'
        ), false) as has_electronic_result,
        jsonb_array_length(coalesce(records.payload -> 'DanhSachHoSoBoSung', '[]')) as supplement_count,
        -- The nested lists the history and supplement models unnest; never the whole payload (personal data).
        records.payload -> 'QuaTrinhXuLy' as processing_steps,
        records.payload -> 'DanhSachHoSoBoSung' as supplement_requests
    from records
    cross join pseudonym_key
    left join status_map on records.payload ->> 'TrangThaiHoSo' = status_map.vendor_status
)

select * from renamed
