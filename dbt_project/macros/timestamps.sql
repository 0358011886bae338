{#- The contract's local timestamps: `yyyyMMddHHmmss` (dvcqg_api), `dd/MM/yyyy HH:mm` (csv_drop); "" is missing. -#}
{% macro api_ts(expression) -%}
    to_timestamp(nullif({{ expression }}, ''), 'YYYYMMDDHH24MISS')::timestamp
{%- endmacro %}

{% macro csv_ts(expression) -%}
    to_timestamp(nullif({{ expression }}, ''), 'DD/MM/YYYY HH24:MI')::timestamp
{%- endmacro %}

{% macro iso_ts(expression) -%}
    nullif({{ expression }}, '')::timestamp
{%- endmacro %}
