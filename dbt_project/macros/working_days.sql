{#- Working-day arithmetic over dim_date (metrics.md, "Time"). Office hours 07:30-17:00. -#}

{#- When the statutory clock starts for something received at `received`, with an optional earlier cut-off
    (a time column or null). Needs `received_day` joined from dim_date on received::date. -#}
{% macro clock_start(received, received_day, cutoff) -%}
    case
        when {{ received_day }}.is_working_day and {{ received }}::time < time '07:30'
            then {{ received }}::date + time '07:30'
        when {{ received_day }}.is_working_day
            and {{ received }}::time < least(time '17:00', coalesce({{ cutoff }}, time '17:00'))
            then {{ received }}
        else {{ received_day }}.next_working_day + time '07:30'
    end
{%- endmacro %}
