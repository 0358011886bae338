-- The completeness suite's batch: one row per system the night expected, with what it delivered.
-- $night_start and $weekdays (the same weekday of the four weeks before) are filled in by onestop/quality/suites.py.
--
-- Volume: records a system sent on the night against those weekdays. Only nights that read what this night read
-- count: a night catching up after a system was down (or an initial load) reads several days at once and would
-- make the next same weekday look like a collapse (a window starts where the system's data was last seen, less
-- the lookback, so ordinary windows differ by up to a day). Records read, not landed: a re-run of a night lands
-- nothing new yet reads what the first run read. The last successful try of each night counts.
with night as (
    select n.expected, n.missing, n.reasons
    from audit.nights as n
    where n.interval_start = $night_start
),

expected_systems as (
    select
        s.system_id,
        case when s.system_id = any(night.missing) then coalesce(night.reasons ->> s.system_id, 'not run') end
            as undelivered_reason
    from night
    cross join lateral unnest(night.expected) as s (system_id)
),

last_successful_runs as (
    select distinct on (e.system_id, e.interval_start)
        e.system_id,
        e.interval_start,
        e.window_start,
        e.window_end,
        e.rows_read,
        e.suspicion
    from audit.extraction_runs as e
    where e.status = 'success'
    order by e.system_id, e.interval_start, e.run_id desc
),

tonight as (
    select r.system_id, r.rows_read, r.suspicion, r.window_end - r.window_start as window_length
    from last_successful_runs as r
    where r.interval_start = $night_start
),

weekday_history as (
    select t.system_id, round(avg(p.rows_read), 1) as trailing_average
    from expected_systems as t
    left join tonight on tonight.system_id = t.system_id
    inner join last_successful_runs as p
        on p.system_id = t.system_id
        and p.interval_start in ($weekdays)
        and p.window_end - p.window_start <= coalesce(tonight.window_length, interval '7 days') + interval '1 day'
    group by t.system_id
),

quarantined as (
    select q.system_id, count(*) as quarantined
    from audit.quarantine as q
    where q.interval_start = $night_start
    group by q.system_id
)

select
    s.system_id,
    s.undelivered_reason,
    tonight.suspicion,
    coalesce(quarantined.quarantined, 0) as quarantined,
    coalesce(tonight.rows_read, 0) as records_read,
    weekday_history.trailing_average,
    case
        when weekday_history.trailing_average >= 5 and tonight.rows_read > 0
            then round(tonight.rows_read / weekday_history.trailing_average, 2)
    end as volume_ratio
from expected_systems as s
left join tonight on tonight.system_id = s.system_id
left join weekday_history on weekday_history.system_id = s.system_id
left join quarantined on quarantined.system_id = s.system_id
