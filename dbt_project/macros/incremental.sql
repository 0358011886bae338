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

{#- Before an incremental fct_dossier_month: every month of a rebuilt dossier goes, and the model writes the months
    it has now (one fewer, when its receipt or end moved; none, when it is now withdrawn or refused); the months of
    a dossier only re-judged (open in the latest month) are replaced one by one, by its key and month. -#}
{% macro delete_rebuilt_dossiers() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where dossier_code in (
            select dossier_code from {{ ref('fct_dossiers') }}
            where {{ refreshed_since_last_build('refreshed_at') }}
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
