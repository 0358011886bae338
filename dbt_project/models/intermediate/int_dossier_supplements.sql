{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    post_hook="{{ forget_retracted_dossiers() }}",
    meta={'build_stamp': 'refreshed_at'},
    indexes=[{'columns': ['dossier_code']}, {'columns': ['refreshed_at']}],
) }}
{% set request_columns = ['dossier_code', 'requested_at', 'documents_returned_at'] %}
-- depends_on: {{ ref('stg_csv_drop__retractions') }}

-- Supplement requests per dossier: from the latest version's list where a system keeps one; for a csv_drop system,
-- every request date any night's file showed, with the documents' return as the last file showing it said.
with

-- Not materialized: read six times, PostgreSQL would materialize it, which keeps the whole query from running in
-- parallel.
latest as not materialized (
    select dossier_code, kind, changed_at, extracted_at, refreshed_at from {{ ref('int_dossiers_deduplicated') }}
    where {{ refreshed_since_last_build('refreshed_at') }}
),

-- Read from the csv_drop staging model itself, only the columns used: through the union of every kind, PostgreSQL
-- computes every column of every version (the pseudonyms among them) before it can drop any.
csv_drop_versions as (
    select kind, dossier_code, changed_at, extracted_at, latest_request_at, latest_request_returned_at
    from {{ ref('stg_csv_drop__dossiers') }}
    where {{ only_dossiers_in('latest') }}
),

from_latest_version as (
    {{ of_latest_versions(ref('stg_dvcqg_api__supplements'), request_columns) }}
    union all
    {{ of_latest_versions(ref('stg_onegate_db__supplements'), request_columns) }}
),

from_csv_versions as (
    select distinct on (versions.dossier_code, versions.latest_request_at)
        versions.dossier_code,
        versions.latest_request_at as requested_at,
        versions.latest_request_returned_at as documents_returned_at,
        latest.refreshed_at
    from csv_drop_versions as versions
    inner join latest on versions.dossier_code = latest.dossier_code
    where versions.kind = 'csv_drop' and latest.kind = 'csv_drop' and versions.latest_request_at is not null
    order by versions.dossier_code, versions.latest_request_at, versions.changed_at desc, versions.extracted_at desc
)

select * from from_latest_version
union all
select * from from_csv_versions
