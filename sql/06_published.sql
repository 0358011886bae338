-- What BI tools may list of what onestop published: the report runs (the table stays in audit, written by the
-- report as the transformer; the view shows it in the BI role's only schema).
create or replace view marts.report_runs as
select report_month, view, generated_at, gate_verdict, files
from audit.report_runs;

grant select on marts.report_runs to onestop_bi;
