-- Supplement requests (supplement_request rows) carried by each landed dossier version.
with

dossiers as (
    select * from {{ ref('stg_onegate_db__dossiers') }}
),

requests as (
    select
        dossiers.dossier_code,
        dossiers.changed_at as version_changed_at,
        dossiers.extracted_at as version_extracted_at,
        request.ordinality as request_no,
        {{ iso_ts("request.value ->> 'requested_at'") }} as requested_at,
        {{ iso_ts("request.value ->> 'returned_at'") }} as documents_returned_at
    from dossiers
    cross join lateral jsonb_array_elements(dossiers.supplement_requests) with ordinality as request (value, ordinality)
)

select * from requests
