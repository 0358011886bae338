{#- How a table is created (dbt-postgres's own, overridden: dispatch searches this project first). Under a contract
    dbt creates the table with its columns and constraints, then fills it with `insert ... select`: the primary
    key's index is kept up row by row, and PostgreSQL plans no parallel workers for an insert (it may for `create
    table ... as`). So the table is created from its select, each column cast to the type its contract declares,
    and the constraints are added once it is filled:
    - a full refresh on the bench's year, alternated: fct_dossier_month (1.39 M rows) 25.8 / 20.5 s -> 17.2 /
      15.8 s, fct_dossiers (1.15 M) 5.6 / 6.1 -> 3.9 / 4.6 s. Of fct_dossiers', about half is the key built once
      (filled by an insert, then keyed: 3.7 / 3.6 s against 4.4 / 4.3 s keyed first). Neither plan has parallel
      workers yet: a model whose plan has them gets them now;
    - foreign keys are left out: PostgreSQL would check them row by row (29 s of fct_dossiers' 30 s on the year,
      when the table was filled with an insert); `restore_foreign_keys` adds them at the run's end
      (macros/foreign_keys.sql).
    The contract's check of the select's column types (`get_assert_columns_equivalent`) runs first, as in dbt's.
    Constraints are declared at model level in this project; a column-level one stops the build (they would need
    their own `alter table` form here). Temporary tables (an incremental build's new rows) have no contract. -#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {%- set contract_config = config.get('contract') -%}
    {%- set enforced = contract_config.enforced and not temporary -%}
    {%- set sql_header = config.get('sql_header', none) -%}
    {{ sql_header if sql_header is not none }}
    {% if enforced -%}
        {%- for column in model['columns'].values() if column['constraints'] -%}
            {%- do exceptions.raise_compiler_error(
                "Model '" ~ model['name'] ~ "': column '" ~ column['name'] ~ "' declares constraints of its own; "
                ~ "declare them under the model's `constraints:` (macros/contract_tables.sql)"
            ) -%}
        {%- endfor -%}
        {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    create {% if temporary -%} temporary {%- elif config.get('unlogged', default=false) -%} unlogged {%- endif %}
    table {{ relation }} as (
    {%- if enforced %}
        select
        {%- for column in model['columns'].values() %}
            {%- set name = adapter.quote(column['name']) if column.get('quote') else column['name'] %}
            {{ name }}::{{ column['data_type'] }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
        from (
            {{ sql }}
        ) as model_subq
    {%- else %}
        {{ sql }}
    {%- endif %}
    );
    {%- if enforced %}
        {%- set constraints = adapter.render_raw_model_constraints(
            raw_constraints=model['constraints'] | rejectattr('type', 'equalto', 'foreign_key') | list
        ) %}
        {%- if constraints %}
    alter table {{ relation }}
            {%- for constraint in constraints %}
        add {{ constraint }}{{ ',' if not loop.last }}
            {%- endfor %};
        {%- endif %}
    {%- endif %}
{%- endmacro %}
