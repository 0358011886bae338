{#- on-run-end: put back the foreign keys a model's contract declares where a build created its table without them
    (macros/contract_tables.sql), or where a dimension rebuilt as a table replaced the old one (dropped with
    cascade), taking the keys of the incremental facts that point at it with it; BI tools infer joins from these
    keys. Added `not valid`: nothing is scanned, and rows written from then on are checked; the rows already there
    are checked by each key's `relationships` test. -#}
{% macro restore_foreign_keys() %}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.contract.enforced
            and node.config.materialized in ('table', 'incremental') -%}
            {%- for constraint in node.constraints if constraint.type == 'foreign_key' -%}
                {#- `to` is resolved ("db"."schema"."table") for the nodes this run compiled, `ref('x')` for others. #}
                {%- if constraint.to.startswith('ref(') -%}
                    {%- set referenced = constraint.to[4:-1].strip().strip("'\"") -%}
                    {%- set dimension = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                        | selectattr('name', 'equalto', referenced) | first -%}
                    {%- set target = adapter.quote(dimension.schema) ~ '.' ~ adapter.quote(dimension.alias) -%}
                {%- else -%}
                    {%- set target = constraint.to.split('.')[-2:] | join('.') -%}
                {%- endif -%}
                {%- set this_table = adapter.quote(node.schema) ~ '.' ~ adapter.quote(node.alias) -%}
                {%- set restore -%}
do $restore$
begin
    if to_regclass('{{ this_table }}') is not null and to_regclass('{{ target }}') is not null and not exists (
        select 1 from pg_constraint as c
        where c.conrelid = to_regclass('{{ this_table }}') and c.contype = 'f'
            and c.confrelid = to_regclass('{{ target }}')
            and (select array_agg(a.attname::text order by a.attname) from pg_attribute as a
                where a.attrelid = c.conrelid and a.attnum = any(c.conkey))
                = array[{%- for column in constraint.columns | sort %}'{{ column }}'{{ ', ' if not loop.last }}{% endfor %}]::text[]
    ) then
        alter table {{ this_table }} add foreign key ({{ constraint.columns | join(', ') }})
            references {{ target }} ({{ constraint.to_columns | join(', ') }}) not valid;
    end if;
end
$restore$
                {%- endset -%}
                {%- do run_query(restore) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
