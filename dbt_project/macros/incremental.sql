{#- Incremental builds follow the dossiers a run touched. `int_dossiers_deduplicated` stamps every dossier it
    (re)builds with the run's start; each model downstream rebuilds the dossiers stamped after its own newest
    stamp, so a model that failed one night catches up the next. A full refresh stamps everything. -#}

{% macro run_stamp() -%}
    '{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}

{#- A predicate on `column` (a refreshed_at stamp): true for rows this incremental run must rebuild. -#}
{% macro refreshed_since_last_build(column) -%}
    {%- if is_incremental() -%}
        {{ column }} > (select coalesce(max(refreshed_at), '-infinity'::timestamptz) from {{ this }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The months a dossier has in fct_dossier_month: accepted and not withdrawn, from its receipt's month to its end's,
    or to where the data stands while it is open. The model generates them; its pre-hook deletes the others. -#}
{% macro last_processed_month(dossier, observed_at) -%}
    date_trunc('month', coalesce(least({{ dossier }}.end_at, {{ observed_at }}), {{ observed_at }}))
{%- endmacro %}

{#- Before an incremental fct_dossier_month: a dossier rebuilt goes from the months it no longer has (its receipt or
    end moved; all of them, when it is now withdrawn or refused). The months it has are replaced one by one by the
    model, which reads the rows they replace first (`changed_at`). -#}
{% macro delete_months_dossiers_left() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as built
        using
            (select * from {{ ref('fct_dossiers') }}) as dossiers,
            (select observed_at from {{ ref('int_observation') }}) as observation
        where
            built.dossier_code = dossiers.dossier_code
            and {{ refreshed_since_last_build('dossiers.refreshed_at') }}
            and not coalesce(
                dossiers.is_accepted and not dossiers.is_withdrawn
                and built.month_start >= date_trunc('month', dossiers.received_at)
                and built.month_start <= {{ last_processed_month('dossiers', 'observation.observed_at') }},
                false
            )
    {%- endif -%}
{%- endmacro %}

{#- A filter for a big relation (a staging view over `raw`) to the dossiers in `cte`, on an incremental run. As an
    array it is a single value the planner pushes into each view down to raw's index on the record key; as `in
    (select ...)` the planner may hash-join the whole of `raw` (it did: 23 s for a night's 9,000 dossiers). -#}
{% macro only_dossiers_in(cte, column='dossier_code') -%}
    {%- if is_incremental() -%}
        {{ column }} = any(array(select {{ cte }}.dossier_code from {{ cte }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The rows of `relation` (one or more per dossier version: its history entries, its supplement requests) that belong
    to each dossier's latest version in the CTE `latest`, with the dossier's `refreshed_at`. One select per staging
    model, unioned by the caller: joined inside each branch, PostgreSQL runs the branches in parallel and joins before
    it moves the rows on; a join over the union of the branches ran on one core (28 s against 19 s for the year's
    full refresh of int_dossier_history). -#}
{% macro of_latest_versions(relation, columns) -%}
    select
        {%- for column in columns %}
        entries.{{ column }},
        {%- endfor %}
        latest.refreshed_at
    -- A subquery, not `relation as entries`: dbt's --empty renders a ref with an alias of its own.
    from (select * from {{ relation }}) as entries
    inner join latest
        on entries.dossier_code = latest.dossier_code
        and entries.version_changed_at = latest.changed_at
        and entries.version_extracted_at = latest.extracted_at
    where {{ only_dossiers_in('latest', 'entries.dossier_code') }}
    {%- if is_incremental() %}
        -- Of those dossiers, only the versions with a latest one's change time: found in the index, the heap of
        -- their other versions (every month of history) is not read.
        and entries.version_changed_at = any(array(select latest.changed_at from latest))
    {%- endif %}
{%- endmacro %}

{#- Whether any of `columns` differs between the rows aliased `new` and `old` (a null equal to a null): what a build
    compares with the row it replaces. -#}
{% macro columns_differ(columns, new, old) -%}
    ({{ new }}.{{ columns | join(', ' ~ new ~ '.') }})
    is distinct from ({{ old }}.{{ columns | join(', ' ~ old ~ '.') }})
{%- endmacro %}

{#- Whether `relation`, as built, has `column`: a model that gained a column (on_schema_change append_new_columns)
    reads it from its previous build only once a build has added it. In a unit test `this` is a fixture's name,
    given the columns the test gives it: none that a build added later. -#}
{% macro has_column(relation, column) -%}
    {%- if relation is string -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(column in adapter.get_columns_in_relation(relation) | map(attribute='name')) }}
{%- endmacro %}
