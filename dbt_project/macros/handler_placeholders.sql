-- What some source systems write in the handler field instead of an official's name (district-systems.md,
-- "Placeholders instead of data"): not a person, so never reported as the one who holds a dossier.
{% macro handler_placeholders() -%}
'Chuyên viên'
{%- endmacro %}
