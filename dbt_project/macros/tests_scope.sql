{#- What a data test reads of the model it tests. dbt puts this in place of `{{ model }}` in every generic test.

    `tests_scope` 'all' (the default: a full refresh, the weekly run, a build by hand): the whole model, with the
    test's own `where`. 'night' (the nightly DAG's ordinary night): of a model whose rows carry the build stamp
    (`meta.build_stamp`: the per-dossier chain, incremental), only the rows this build stamped; the others were
    tested the night they were written. A key test on those rows still sees a duplicate the build wrote, but not
    one written behind its back: the weekly run with the whole tables does (onestop_nightly's `whole_table_tests`). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set stamps = [] -%}  {#- a list: a `set` inside the loop would not outlive it -#}
    {%- if var('tests_scope', 'all') == 'night' and execute -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.alias == relation.identifier
                and node.schema == relation.schema and node.config.meta.get('build_stamp') -%}
                {%- do stamps.append(node.config.meta['build_stamp']) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if stamps -%}
        {%- set tonight = stamps[0] ~ ' = ' ~ run_stamp() -%}
        {%- set where = '(' ~ where ~ ') and ' ~ tonight if where else tonight -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') as dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
