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
-- again. Of one the last build ranked, with no version taken back since, its standing row and its owner's versions
-- landed since; of any other, every version. (The nightly DAG builds only once every extraction of the night ended.)
with

{% if is_incremental() %}
{#- The versions' columns, in the order the union below and `ranked.*` give them; of those the standing rows lack
    (a column new to the versions), a null. -#}
{%- set version_columns = adapter.get_columns_in_relation(ref('int_dossier_versions_unioned'))
    | map(attribute='name') | list -%}
{%- set built_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
since_last_build as (
    select ({{ last_landing_seen(this) }}) as landed_after
),

retractions as (
    select * from {{ ref('stg_csv_drop__retractions') }}
    where entity = 'dossiers'
),

-- A mark taking a version back since: its dossier's standing version may be an earlier one.
retracted_since as (
    select retractions.record_key, retractions.extracted_at
    from retractions
    where retractions.extracted_at > (select since_last_build.landed_after from since_last_build)
),

all_versions as (
    select * from {{ ref('int_dossier_versions_unioned') }}
),

landed_since as (
    select * from all_versions
    where all_versions.extracted_at > (select since_last_build.landed_after from since_last_build)
),

-- A version landed since, or a mark taking one back since.
new_versions as (
    select landed_since.dossier_code, landed_since.extracted_at
    from landed_since
    union all
    select retracted_since.record_key as dossier_code, retracted_since.extracted_at
    from retracted_since
),

-- Of a dossier the last build ranked, with no mark taking a version back since, the row it kept, landed before
-- anything landed since: its owner stands (the owner's first landing came no later than that row, and every
-- version landed since came after it), and the owner's newest version is that row or one landed since. Its older
-- versions are not read again: a night's dossiers reach back into every month of history.
standing as (
    select built.*
    from {{ this }} as built
    where {{ only_dossiers_in('new_versions', 'built.dossier_code') }}
        and built.extracted_at <= (select since_last_build.landed_after from since_last_build)
        and not exists (select from retracted_since where retracted_since.record_key = built.dossier_code)
),

-- Any other: new, or with a version taken back since. Ranked over every version below.
ranked_whole as (
    select new_versions.dossier_code from new_versions
    except
    select standing.dossier_code from standing
),

standing_ranked as (
    select
        candidates.*,
        candidates.system_id as owner_system_id,
        row_number() over (
            partition by candidates.dossier_code order by candidates.changed_at desc, candidates.extracted_at desc
        ) as recency
    from (
        select
            {%- for column in version_columns %}
            {{ 'standing.' ~ column if column in built_columns else 'null' }} as {{ column }}{{ ',' if not loop.last }}
            {%- endfor %}
        from standing
        union all
        select landed_since.*
        from landed_since
        inner join standing
            on landed_since.dossier_code = standing.dossier_code and landed_since.system_id = standing.system_id
    ) as candidates
),
{% endif %}

versions as (
    select * from {{ ref('int_dossier_versions_unioned') }}
    {% if is_incremental() %}
    where {{ only_dossiers_in('ranked_whole') }}
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
),

kept as (
    select * from ranked
    where ranked.recency = 1
    {% if is_incremental() -%}
    union all
    select * from standing_ranked
    where standing_ranked.recency = 1
    {%- endif %}
)

select
    kept.*,
    -- The newest landing this build saw, the next build's starting point.
    {% if is_incremental() -%}
    (select max(new_versions.extracted_at) from new_versions)
    {%- else -%}
    max(kept.extracted_at) over ()
    {%- endif %} as landed_until,
    {{ run_stamp() }} as refreshed_at
from kept
