{#- A label table BI tools join to: the codes of one code set (seed `code_labels`, from onestop/vocabulary.py)
    with their Vietnamese names. -#}
{% macro code_label_model(code_set, code_column, label_column) -%}
with

labels as (
    select * from {{ ref('code_labels') }}
)

select
    labels.code as {{ code_column }},
    labels.label as {{ label_column }}
from labels
where labels.code_set = '{{ code_set }}'
{%- endmacro %}
