{{ config(materialized='view') }}

-- Each check of the quality gate as the latest gate run of the night left it: passed or not, what it observed, what
-- it checks, which systems broke it. The gate's results where BI looks, beside the night's verdict
-- (night_completeness); a view over `audit`, so tonight's run shows as soon as the gate wrote it. Only the latest
-- run counts: a check an earlier run made and the latest did not (a check since retired) is not the night's.
with

results as (
    select * from {{ source('audit', 'quality_results') }}
),

latest_runs as (
    select distinct on (results.interval_start)
        results.interval_start,
        results.run_id
    from results
    order by results.interval_start asc, results.checked_at desc, results.result_id desc
),

latest_results as (
    select results.*
    from results
    inner join latest_runs
        on latest_runs.interval_start = results.interval_start and latest_runs.run_id = results.run_id
)

select
    latest_results.interval_start::date as night,
    latest_results.suite,
    latest_results.expectation,
    latest_results.suite || '.' || latest_results.expectation as check_code,
    -- In Vietnamese for the dashboard (each suite's meta.label_vi); a run recorded before labels existed: its code.
    coalesce(
        nullif(latest_results.details ->> 'label_vi', ''), latest_results.suite || '.' || latest_results.expectation
    ) as check_name,
    latest_results.severity,
    case latest_results.severity when 'error' then 'nghiêm trọng' else 'cảnh báo' end as severity_name,
    latest_results.success,
    case when latest_results.success then 'Đạt' else 'Không đạt' end as result_name,
    latest_results.observed_value,
    -- The systems that broke it, from the rows the gate kept (each batch has a row per system).
    (
        select string_agg(distinct failed.row_kept ->> 'system_id', ', ')
        from
            jsonb_array_elements(coalesce(latest_results.details -> 'unexpected_rows', '[]'::jsonb))
                as failed (row_kept)
    ) as failed_systems,
    latest_results.details ->> 'description' as description,
    jsonb_array_length(coalesce(latest_results.details -> 'unexpected_rows', '[]'::jsonb))::integer as rows_shown,
    latest_results.run_id as gate_run_id,
    latest_results.checked_at,
    latest_results.interval_start = max(latest_results.interval_start) over () as is_latest_night
from latest_results
