-- The processing history (dossier_action rows) carried by each landed dossier version.
with

dossiers as (
    select * from {{ ref('stg_onegate_db__dossiers') }}
),

status_map as (
    select vendor_status, status_code from {{ ref('status_map') }}
    where kind = 'onegate_db'
),

entries as (
    select
        dossiers.dossier_code,
        dossiers.changed_at as version_changed_at,
        dossiers.extracted_at as version_extracted_at,
        entry.ordinality as step_no,
        {{ iso_ts("entry.value ->> 'acted_at'") }} as acted_at,
        entry.value ->> 'actor' as handler,
        entry.value ->> 'actor_title' as handler_title,
        entry.value ->> 'department' as department,
        entry.value ->> 'action' as action,
        status_map.status_code
    from dossiers
    cross join lateral jsonb_array_elements(dossiers.processing_steps) with ordinality as entry (value, ordinality)
    left join status_map on entry.value ->> 'status' = status_map.vendor_status
)

select * from entries
