{{ config(materialized='view') }}

-- The gate's verdict on each night and enabled system, as the gate recorded it (a view: the verdict of tonight's
-- gate shows as soon as it is written, without another build).
with

verdicts as (
    select * from {{ source('audit', 'night_verdicts') }}
)

select
    verdicts.night,
    verdicts.system_id,
    verdicts.delivered,
    verdicts.complete,
    verdicts.reasons,
    verdicts.reason_codes,
    verdicts.marts_built,
    verdicts.gate_run_id,
    verdicts.checked_at
from verdicts
