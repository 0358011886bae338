-- The reconciliation suite's batch: one row per system with dossiers in raw or the marts, or a run on the night.
-- $night_start is filled in by onestop/quality/suites.py.
with dossiers_in_raw as (
    select r.system_id, count(distinct r.record_key) as dossiers
    from raw.dossier_records as r
    group by r.system_id
),

dossiers_in_marts as (
    select d.system_id, count(*) as dossiers
    from marts.fct_dossiers as d
    group by d.system_id
),

last_run_tonight as (
    select distinct on (e.system_id) e.system_id, e.rows_read, e.rows_landed, e.control_total
    from audit.extraction_runs as e
    where e.interval_start = $night_start and e.status = 'success'
    order by e.system_id, e.run_id desc
),

landed_tonight as (
    select l.system_id, count(*) as landed
    from (
        select r.system_id from raw.dossier_records as r
        where r.interval_start = $night_start and r.checksum <> 'retracted'
        union all
        select f.system_id from raw.feedback_records as f
        where f.interval_start = $night_start and f.checksum <> 'retracted'
    ) as l
    group by l.system_id
),

systems as (
    select system_id from dossiers_in_raw
    union
    select system_id from dossiers_in_marts
    union
    select system_id from last_run_tonight
)

select
    s.system_id,
    coalesce(r.dossiers, 0) as dossiers_in_raw,
    coalesce(m.dossiers, 0) as dossiers_in_marts,
    run.rows_read,
    run.control_total,
    run.rows_landed,
    case when run.system_id is not null then coalesce(l.landed, 0) end as landed_in_raw
from systems as s
left join dossiers_in_raw as r on r.system_id = s.system_id
left join dossiers_in_marts as m on m.system_id = s.system_id
left join last_run_tonight as run on run.system_id = s.system_id
left join landed_tonight as l on l.system_id = s.system_id
