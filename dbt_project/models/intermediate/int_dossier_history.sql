{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    post_hook="{{ forget_retracted_dossiers() }}",
    meta={'build_stamp': 'refreshed_at'},
    indexes=[{'columns': ['dossier_code', 'acted_at', 'step_no']}, {'columns': ['refreshed_at']}],
) }}
{% set entry_columns = [
    'dossier_code', 'step_no', 'acted_at', 'handler', 'handler_title', 'department', 'action', 'status_code',
] %}
-- depends_on: {{ ref('stg_csv_drop__retractions') }}
-- The index on (dossier_code, acted_at, step_no) serves fct_dossier_month's holder of a month: each dossier's entries
-- in order, read with no sort.

-- Each dossier's processing history as its latest version tells it. A csv_drop system keeps none: its history is
-- what successive nights' files showed (one entry a version, at the end of the file's day).
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
    select kind, dossier_code, changed_at, extracted_at, handler, department, status_code
    from {{ ref('stg_csv_drop__dossiers') }}
    where {{ only_dossiers_in('latest') }}
),

from_latest_version as (
    {{ of_latest_versions(ref('stg_dvcqg_api__history'), entry_columns) }}
    union all
    {{ of_latest_versions(ref('stg_onegate_db__history'), entry_columns) }}
),

csv_versions as (
    select distinct on (versions.dossier_code, versions.changed_at)
        versions.dossier_code,
        versions.changed_at as acted_at,
        versions.handler,
        versions.department,
        versions.status_code,
        latest.refreshed_at
    from csv_drop_versions as versions
    inner join latest on versions.dossier_code = latest.dossier_code
    where versions.kind = 'csv_drop' and latest.kind = 'csv_drop'
    order by versions.dossier_code, versions.changed_at, versions.extracted_at desc
),

from_csv_versions as (
    select
        dossier_code,
        row_number() over (partition by dossier_code order by acted_at) as step_no,
        acted_at,
        handler,
        null::text as handler_title,
        department,
        null::text as action,
        status_code,
        refreshed_at
    from csv_versions
)

select * from from_latest_version
union all
select * from from_csv_versions
