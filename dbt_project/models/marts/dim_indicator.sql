-- The dossier-based indicators of Decision 766 the scorecard computes: name, the portal's group, maximum points
-- and score rule (score = max · r, capped at max when a target rate is set: min(max, max · r / target)).
with

indicators as (
    select * from {{ ref('indicators') }}
)

select
    indicators.indicator_code,
    indicators.column_suffix,
    indicators.indicator_name,
    indicators.portal_group,
    indicators.max_points,
    indicators.target_rate,
    indicators.score_when_none,
    indicators.score_rule
from indicators
