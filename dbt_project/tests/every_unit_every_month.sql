-- Every unit that existed in a month has its row in the as-was scorecard, from the first month with dossiers to
-- the month in progress: a unit with no dossiers scores on empty denominators, it never vanishes from the ranking.
with months as (
    select
        generate_series(
            date_trunc('month', min(d.received_at)),
            date_trunc('month', (select o.observed_at from {{ ref('int_observation') }} as o)),
            interval '1 month'
        )::date as month_start
    from {{ ref('fct_dossiers') }} as d
),

units_in_month as (
    select u.unit_code, m.month_start
    from months as m
    inner join {{ ref('dim_unit') }} as u
        on
            u.valid_from <= (m.month_start + interval '1 month' - interval '1 day')::date
            and (u.valid_to is null or u.valid_to >= m.month_start)
),

scorecard_as_was as (
    select s.unit_code, s.month_start
    from {{ ref('fct_unit_month_scorecard') }} as s
    where s.view = 'as_was'
)

select u.unit_code, u.month_start
from units_in_month as u
left join scorecard_as_was as s on s.unit_code = u.unit_code and s.month_start = u.month_start
where s.unit_code is null
