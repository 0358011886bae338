{% test dbt_utils_free_unique_combination(model, columns) %}
{#- One row per combination of `columns` (what dbt_utils.unique_combination_of_columns does, without the package). -#}
select {{ columns | join(', ') }}
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
