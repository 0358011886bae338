-- The scorecard in long form: one row per view, unit, month and indicator (the seven of the scorecard and 5.4),
-- with its numerator, denominator, rate, score and maximum as the wide `fct_unit_month_scorecard` has them. Charts
-- and filters are one query on it; names, portal groups and score rules come from `dim_indicator`.
with

scorecard as (
    select * from {{ ref('fct_unit_month_scorecard') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

unpivoted as (
    select
        scorecard.view,
        scorecard.unit_code,
        scorecard.level,
        scorecard.month_start,
        measures.indicator_code,
        measures.numerator,
        measures.denominator,
        measures.rate,
        measures.score,
        measures.is_reported,
        scorecard.is_final,
        scorecard.data_as_of
    from scorecard
    cross join lateral (
        values
        {% for code in scorecard_codes() -%}
        (
            '{{ code | replace('_', '.') }}',
            scorecard.n_{{ code }},
            scorecard.d_{{ code }},
            scorecard.rate_{{ code }},
            scorecard.score_{{ code }},
            scorecard.is_reported_{{ code }}
        ),
        {% endfor -%}
        -- 5.4 has no count of its own: its rate comes from 2.1's and the feedback share, reported with 2.1.
        ('5.4', null, null, scorecard.rate_5_4, scorecard.score_5_4, scorecard.is_reported_2_1)
    ) as measures (indicator_code, numerator, denominator, rate, score, is_reported)
)

select
    unpivoted.view,
    unpivoted.unit_code,
    unpivoted.level,
    unpivoted.month_start,
    unpivoted.indicator_code,
    indicators.indicator_name,
    indicators.portal_group,
    unpivoted.numerator::integer as numerator,
    unpivoted.denominator::integer as denominator,
    unpivoted.rate,
    unpivoted.score,
    indicators.max_points,
    unpivoted.score is not null as counts_in_subtotal,
    unpivoted.is_reported,
    unpivoted.is_final,
    unpivoted.data_as_of
from unpivoted
inner join indicators on unpivoted.indicator_code = indicators.indicator_code
