{{ config(materialized='view') }}

-- The monthly reports onestop published: each month and view, when, on which gate verdict, which files.
with

runs as (
    select * from {{ source('audit', 'report_runs') }}
)

select
    runs.report_month,
    runs.view,
    runs.generated_at,
    runs.gate_verdict,
    runs.files
from runs
