{{ config(materialized='incremental', incremental_strategy='append') }}

-- One row each time the dimensions the monthly marts are built with change: units, procedures, indicator rules and
-- coverage, the calendar. `fct_unit_month_scorecard` and `fct_overdue_items` rebuild one month at a time; a change
-- here changes every month they hold, so a build stamped after their last one rebuilds them whole
-- (macros/months.sql). A build that finds the digest it last wrote writes nothing.
with

units as (
    select * from {{ ref('dim_unit') }}
),

procedures as (
    select * from {{ ref('dim_procedure') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

coverage as (
    select * from {{ ref('indicator_coverage') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

dimensions as (
    select concat_ws(
        ' | ',
        (select string_agg(units::text, ',' order by units.unit_code) from units),
        (select string_agg(procedures::text, ',' order by procedures.procedure_code) from procedures),
        (select string_agg(indicators::text, ',' order by indicators.indicator_code) from indicators),
        (select string_agg(coverage::text, ',' order by coverage::text) from coverage),
        (select string_agg(distinct calendar.calendar_version, ',') from calendar)
    ) as described
)

select
    md5(dimensions.described) as digest,
    {{ run_stamp() }} as changed_at
from dimensions
{% if is_incremental() -%}
where md5(dimensions.described) is distinct from (
    select built.digest from {{ this }} as built order by built.changed_at desc limit 1
)
{%- endif %}
