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
        fields.procedure_code,
        fields.unit_code,
        fields.channel::smallint as channel,
        fields.online_level::smallint as online_level,
        fields.applicant_type::smallint as applicant_type,
        {{ pseudonymize('fields.applicant_name') }} as applicant_name_hash,
        {{ pseudonymize('fields.applicant_id_no') }} as applicant_id_hash,
        {{ pseudonymize('fields.applicant_phone') }} as applicant_phone_hash,
        null::text as applicant_email_hash,
        {{ iso_ts('fields.received_at') }} as received_at,
        {{ iso_ts('fields.due_at') }} as due_at,
        {{ iso_ts('fields.finished_at') }} as processing_end_at,
        {{ iso_ts('fields.returned_at') }} as returned_at,
        status_map.status_code,
        coalesce(fields.inputs_digitized::boolean, false) as is_digitized,
        coalesce(fields.paid_online::smallint, 0) as paid_online,
        -- The format has no such field: unknown, not "no" (4.3 is not reported for it: seed indicator_coverage).
        null::boolean as has_reused_data,
        coalesce(jsonb_path_exists(fields.results, '$[*] ? (@.doc_code != null && @.doc_url != null)'), false)
            as has_electronic_result,
        jsonb_array_length(coalesce(fields.supplements, '[]')) as supplement_count,
        -- The nested lists the history and supplement models unnest; never the whole payload (personal data).
        fields.actions as processing_steps,
        fields.supplements as supplement_requests
    from records
    -- Every field in one pass: each `payload ->> field` would decompress the payload again.
    cross join lateral jsonb_to_record(records.payload) as fields (
        results jsonb, applicant_name text, applicant_id_no text, applicant_phone text, received_at text,
        due_at text, finished_at text, returned_at text, procedure_code text, unit_code text,
        channel text, online_level text, applicant_type text, inputs_digitized text, paid_online text,
        supplements jsonb, actions jsonb, status text
    )
    cross join pseudonym_key
    left join status_map on fields.status = status_map.vendor_status
)

select * from renamed
