-- Supplement requests (DanhSachHoSoBoSung) carried by each landed dossier version.
with

dossiers as (
    select * from {{ ref('stg_dvcqg_api__dossiers') }}
),

requests as (
    select
        dossiers.dossier_code,
        dossiers.changed_at as version_changed_at,
        dossiers.extracted_at as version_extracted_at,
        request.ordinality as request_no,
        {{ api_ts("request.value ->> 'NgayYeuCau'") }} as requested_at,
        {{ api_ts("request.value ->> 'NgayTiepNhanBoSung'") }} as documents_returned_at
    from dossiers
    cross join lateral jsonb_array_elements(dossiers.supplement_requests)
        with ordinality as request (value, ordinality)
)

select * from requests
