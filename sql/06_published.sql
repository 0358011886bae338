-- BI reads what onestop published through dbt models (marts.report_runs is a view dbt builds over
-- audit.report_runs). An older bootstrap created that view itself, as the owner: dropped here so that dbt, building
-- as the transformer, can create its own; a view dbt built is left alone.
do $$
begin
    if exists (
        select 1 from pg_class as c
        join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname = 'marts' and c.relname = 'report_runs' and c.relkind = 'v'
            and pg_get_userbyid(c.relowner) <> 'onestop_transformer'
    ) then
        drop view marts.report_runs;
    end if;
end
$$;
