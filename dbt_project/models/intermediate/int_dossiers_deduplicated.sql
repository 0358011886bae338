{#- landed_until: the newest landing seen, read by every night's build and its staging tests (macros/tests_scope.sql),
    from the index's end rather than a scan of every dossier. -#}
{{ config(
    materialized='incremental',
    unique_key='dossier_code',
    incremental_strategy='delete+insert',
    post_hook="{{ drop_retracted_versions() }}",
    meta={'build_stamp': 'refreshed_at'},
    indexes=[{'columns': ['dossier_code']}, {'columns': ['refreshed_at']}, {'columns': ['landed_until']}],
) }}

-- One row per dossier: its latest state across every night it was landed (latest change, then latest landing),
-- from the system that landed its code first. The landing sets aside another system's record with a code already
-- landed; two systems landing one new code on the same night are told apart here, so neither replaces the other.
-- Incrementally, only dossiers with a version landed after the newest landing the last build saw are ranked
-- again, over all of their versions. (The nightly DAG builds only once every extraction of the night ended.)
with

{% if is_incremental() %}
since_last_build as (
    select ({{ last_landing_seen(this) }}) as landed_after
),

all_versions as (
    select * from {{ ref('int_dossier_versions_unioned') }}
),

retractions as (
    select * from {{ ref('stg_csv_drop__retractions') }}
    where entity = 'dossiers'
),

-- A version landed since, or a mark taking one back (the dossier's standing version may be an earlier one).
new_versions as (
    select all_versions.dossier_code, all_versions.extracted_at
    from all_versions
    where all_versions.extracted_at > (select since_last_build.landed_after from since_last_build)
    union all
    select retractions.record_key as dossier_code, retractions.extracted_at
    from retractions
    where retractions.extracted_at > (select since_last_build.landed_after from since_last_build)
),
{% endif %}

versions as (
    select * from {{ ref('int_dossier_versions_unioned') }}
    {% if is_incremental() %}
    where {{ only_dossiers_in('new_versions') }}
    {% endif %}
),

owned as (
    select
        versions.*,
        first_value(versions.system_id) over (
            partition by versions.dossier_code order by versions.extracted_at, versions.system_id
        ) as owner_system_id
    from versions
),

ranked as (
    select
        owned.*,
        row_number() over (partition by owned.dossier_code order by owned.changed_at desc, owned.extracted_at desc)
            as recency
    from owned
    where owned.system_id = owned.owner_system_id
)

select
    ranked.*,
    -- The newest landing this build saw, the next build's starting point.
    {% if is_incremental() -%}
    (select max(new_versions.extracted_at) from new_versions)
    {%- else -%}
    max(ranked.extracted_at) over ()
    {%- endif %} as landed_until,
    {{ run_stamp() }} as refreshed_at
from ranked
where recency = 1
