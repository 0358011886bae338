-- The processing history (QuaTrinhXuLy) carried by each landed dossier version.
with

dossiers as (
    select * from {{ ref('stg_dvcqg_api__dossiers') }}
),

entries as (
    select
        dossiers.dossier_code,
        dossiers.changed_at as version_changed_at,
        dossiers.extracted_at as version_extracted_at,
        entry.ordinality as step_no,
        {{ api_ts("entry.value ->> 'ThoiDiemXuLy'") }} as acted_at,
        entry.value ->> 'NguoiXuLy' as handler,
        entry.value ->> 'ChucDanh' as handler_title,
        entry.value ->> 'PhongBanXuLy' as department,
        entry.value ->> 'NoiDungXuLy' as action,
        nullif(entry.value ->> 'TrangThai', '')::smallint as status_code
    from dossiers
    cross join lateral jsonb_array_elements(dossiers.processing_steps) with ordinality as entry (value, ordinality)
)

select * from entries
