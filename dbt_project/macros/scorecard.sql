{#- The scorecard's indicator columns (metrics.md), in the order BI tools and the report read them. -#}
{% macro scorecard_codes() -%}
    {{ return(['2_1', '3_3', '3_6', '4_1', '4_2', '4_3', '5_2']) }}
{%- endmacro %}

{#- Three counts of one indicator over a population of rows carrying `reported` (the indicator codes their
    system's format can report, seed `indicator_coverage`): all_<code>, the population whatever its system;
    d_<code>, the part whose system reports the indicator; n_<code>, those of d that meet it. -#}
{% macro indicator_counts(code, population, hit) -%}
    count(*) filter (where {{ population }}) as all_{{ code }},
    count(*) filter (where {{ population }} and '{{ code | replace('_', '.') }}' = any(reported)) as d_{{ code }},
    count(*) filter (
        where {{ population }} and '{{ code | replace('_', '.') }}' = any(reported) and {{ hit }}
    ) as n_{{ code }}
{%- endmacro %}
