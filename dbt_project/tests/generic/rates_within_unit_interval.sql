{% test rates_within_unit_interval(model) %}
{#- Every indicator's rate lies within [0, 1]. -#}
select *
from {{ model }}
where {% for code in ['2_1', '3_3', '3_6', '4_1', '4_2', '4_3', '5_2', '5_4'] -%}
    not coalesce(rate_{{ code }} between 0 and 1, true){% if not loop.last %} or {% endif %}
{%- endfor %}
{% endtest %}
