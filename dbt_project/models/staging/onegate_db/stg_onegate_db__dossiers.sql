-- One row per landed version of a dossier from an onegate_db system (vendor columns and status words).
with

records as (
    select * from {{ source('raw', 'dossier_records') }}
    where kind = 'onegate_db'
),

pseudonym_key as (
    select ipad, opad from {{ source('audit', 'pseudonym_key') }}
),

status_map as (
    select vendor_status, status_code from {{ ref('status_map') }}
    where kind = 'onegate_db'
),

renamed as (
    select
        records.system_id,
        records.kind,
        records.batch_id,
        records.extracted_at,
        records.changed_at,
        records.record_key as dossier_code,
        records.payload ->> 'procedure_code' as procedure_code,
        records.payload ->> 'unit_code' as unit_code,
        (records.payload ->> 'channel')::smallint as channel,
        (records.payload ->> 'online_level')::smallint as online_level,
        (records.payload ->> 'applicant_type')::smallint as applicant_type,
        {{ pseudonymize("records.payload ->> 'applicant_name'") }} as applicant_name_hash,
        {{ pseudonymize("records.payload ->> 'applicant_id_no'") }} as applicant_id_hash,
        {{ pseudonymize("records.payload ->> 'applicant_phone'") }} as applicant_phone_hash,
        null::text as applicant_email_hash,
        {{ iso_ts("records.payload ->> 'received_at'") }} as received_at,
        {{ iso_ts("records.payload ->> 'due_at'") }} as due_at,
        {{ iso_ts("records.payload ->> 'finished_at'") }} as processing_end_at,
        {{ iso_ts("records.payload ->> 'returned_at'") }} as returned_at,
        status_map.status_code,
        coalesce((records.payload ->> 'inputs_digitized')::boolean, false) as is_digitized,
        coalesce((records.payload ->> 'paid_online')::smallint, 0) as paid_online,
        -- The format has no such field: unknown, not "no" (4.3 is not reported for it: seed indicator_coverage).
        null::boolean as has_reused_data,
        coalesce(jsonb_path_exists(records.payload, '$.results[*] ? (@.doc_code != null && @.doc_url != null)'), false)
            as has_electronic_result,
        jsonb_array_length(coalesce(records.payload -> 'supplements', '[]')) as supplement_count,
        -- The nested lists the history and supplement models unnest; never the whole payload (personal data).
        records.payload -> 'actions' as processing_steps,
        records.payload -> 'supplements' as supplement_requests
    from records
    cross join pseudonym_key
    left join status_map on records.payload ->> 'status' = status_map.vendor_status
)

select * from renamed
