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

{#- An indicator's score from its rate, by its rule in `dim_indicator` (columns of the `rules` relation):
    max · r, capped at max when a target rate is set (min(max, max · r / target)); with `denominator`, the
    score an indicator with nothing in scope gets where the rule gives one (5.2: 6). A null rate is a null score. -#}
{% macro indicator_score(code, rate, denominator=none) -%}
    case
        {% if denominator -%}
        when {{ denominator }} = 0 and rules.none_{{ code }} is not null then rules.none_{{ code }}
        {% endif -%}
        when {{ rate }} is null then null
        when rules.target_{{ code }} is null then rules.max_{{ code }} * {{ rate }}
        else least(rules.max_{{ code }}, rules.max_{{ code }} * {{ rate }} / rules.target_{{ code }})
    end
{%- endmacro %}
