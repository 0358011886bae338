{{ config(materialized='view') }}

-- The ranking of the last month whose every night has landed (is_final), both views, each unit with its name and its
-- rank out of the units of its level: what the dashboard and an official's first question read.
with

scorecard as (
    select * from {{ ref('fct_unit_month_scorecard') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

levels as (
    select * from {{ ref('unit_levels') }}
),

last_final as (
    select max(scorecard.month_start) as month_start
    from scorecard
    where scorecard.is_final
),

ranked as (
    select
        scorecard.*,
        count(*) over (partition by scorecard.view, scorecard.level) as units_in_level
    from scorecard
    inner join last_final on scorecard.month_start = last_final.month_start
)

select
    ranked.view,
    ranked.month_start,
    ranked.level,
    levels.level_name,
    ranked.rank_in_level,
    ranked.units_in_level::integer as units_in_level,
    ranked.rank_in_level || '/' || ranked.units_in_level as rank_label,
    ranked.unit_code,
    units.unit_name,
    ranked.subtotal,
    ranked.max_points,
    ranked.subtotal_ratio,
    ranked.data_as_of
from ranked
inner join units on ranked.unit_code = units.unit_code
left join levels on ranked.level = levels.level
