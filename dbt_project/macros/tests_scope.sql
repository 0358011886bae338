{#- What a data test reads of the model it tests. dbt puts this in place of `{{ model }}` in every generic test.

    `tests_scope` 'all' (the default: a full refresh, the weekly run, a build by hand): the whole model, with the
    test's own `where`. 'night' (the nightly DAG's ordinary night):
    - of a model whose rows carry the build stamp (`meta.build_stamp`: the per-dossier chain, incremental), only the
      rows this build stamped; the others were tested the night they were written;
    - of a staging view over the dossiers landed (`meta.landed_stamp`: its landing time), only the versions landed
      after the newest landing the chain's last build saw (`int_dossiers_deduplicated.landed_until`, less the
      lookback), which are the versions this build reads. A model's tests run before its children build, so the
      mark is still the last build's; without a chain built yet, the whole view.
    - of a view whose tested columns are all those of a model tested on the rows this build wrote
      (`meta.tested_at_night` false), none: the weekly run tests it whole.
    A key test on those rows still sees a duplicate the build wrote, but not one written behind its back: the weekly
    run with the whole tables does (onestop_nightly's `whole_table_tests`). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set tonight = [] -%}  {#- a list: a `set` inside the loop would not outlive it -#}
    {%- if var('tests_scope', 'all') == 'night' and execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.alias == relation.identifier
                and node.schema == relation.schema -%}
                {%- if node.config.meta.get('tested_at_night') is false -%}
                    {%- do tonight.append('false') -%}
                {%- elif node.config.meta.get('build_stamp') -%}
                    {%- do tonight.append(node.config.meta['build_stamp'] ~ ' = ' ~ run_stamp()) -%}
                {%- elif node.config.meta.get('landed_stamp') -%}
                    {%- set landed = landed_since_last_build(node.config.meta['landed_stamp']) -%}
                    {%- if landed -%}
                        {%- do tonight.append(landed) -%}
                    {%- endif -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if tonight -%}
        {%- set where = '(' ~ where ~ ') and ' ~ tonight[0] if where else tonight[0] -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- A predicate on `column` (a landing time): landed after the newest landing the chain's last build saw, as
    `int_dossiers_deduplicated` selects what it ranks again; none before the chain was first built. -#}
{% macro landed_since_last_build(column) -%}
    {%- set chain = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'int_dossiers_deduplicated') | first -%}
    {%- set built = adapter.get_relation(database=chain.database, schema=chain.schema, identifier=chain.alias) -%}
    {{ return(column ~ ' > (' ~ last_landing_seen(built) ~ ')' if built is not none else none) }}
{%- endmacro %}

{#- The newest landing a build of `int_dossiers_deduplicated` (`relation`) saw, less the lookback: versions landed
    after it are the next build's to rank. -#}
{% macro last_landing_seen(relation) -%}
    select coalesce(max(built.landed_until), '-infinity'::timestamptz)
        - interval '{{ var("landing_lookback_minutes") }} minutes'
    from {{ relation }} as built
{%- endmacro %}
