{% test numerators_within_denominators(model) %}
{#- Every indicator's numerator is at most its denominator. -#}
select *
from {{ model }}
where {% for code in ['2_1', '3_3', '3_6', '4_1', '4_2', '4_3', '5_2'] -%}
    n_{{ code }} > d_{{ code }}{% if not loop.last %} or {% endif %}
{%- endfor %}
{% endtest %}
