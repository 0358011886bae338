{#- Models go to the schema they name (staging, marts), not to <target>_<schema>: the roles' grants are per schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
