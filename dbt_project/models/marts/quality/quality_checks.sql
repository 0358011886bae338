{{ config(materialized='view') }}

-- Each check of the quality gate as its latest run for the night left it: passed or not, what it observed, what it
-- checks. The gate's results where BI looks, beside the night's verdict (night_completeness); a view over `audit`,
-- so tonight's run shows as soon as the gate wrote it.
with

results as (
    select * from {{ source('audit', 'quality_results') }}
),

ranked as (
    select
        results.*,
        row_number() over (
            partition by results.interval_start, results.suite, results.expectation
            order by results.checked_at desc, results.result_id desc
        ) as recency
    from results
)

select
    ranked.interval_start::date as night,
    ranked.suite,
    ranked.expectation,
    ranked.suite || '.' || ranked.expectation as check_code,
    -- In Vietnamese for the dashboard (each suite's meta.label_vi); a run recorded before labels existed: its code.
    coalesce(nullif(ranked.details ->> 'label_vi', ''), ranked.suite || '.' || ranked.expectation) as check_name,
    ranked.severity,
    case ranked.severity when 'error' then 'nghiêm trọng' else 'cảnh báo' end as severity_name,
    ranked.success,
    case when ranked.success then 'Đạt' else 'Không đạt' end as result_name,
    ranked.observed_value,
    -- The systems that broke it, from the rows the gate kept (each batch has a row per system).
    (
        select string_agg(distinct failed.row_kept ->> 'system_id', ', ')
        from jsonb_array_elements(coalesce(ranked.details -> 'unexpected_rows', '[]'::jsonb)) as failed (row_kept)
    ) as failed_systems,
    ranked.details ->> 'description' as description,
    jsonb_array_length(coalesce(ranked.details -> 'unexpected_rows', '[]'::jsonb))::integer as rows_shown,
    ranked.run_id as gate_run_id,
    ranked.checked_at,
    ranked.interval_start = max(ranked.interval_start) over () as is_latest_night
from ranked
where ranked.recency = 1
