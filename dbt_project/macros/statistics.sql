{#- The post-hook of every table model: its statistics, right after the build, when they are missing or this build
    made them stale.

    Missing: a table created by this build (a full refresh, a table model, an incremental model's first build) has
    none, and the planner sizes joins on it blindly (an unanalyzed one-row table looked like 2,260 rows and made
    fct_dossier_month's incremental run 40 times slower). Stale: this build changed more rows than autovacuum's own
    rule allows (the server's `autovacuum_analyze_threshold` plus its `autovacuum_analyze_scale_factor` of the
    table), so the models built next plan on fresh statistics. Smaller changes add up to autovacuum's own analysis,
    within a minute of the commit. (Changes of earlier builds are left out: those of a build that analyzed itself
    are counted again after its commit, so every table would look stale the night after a full refresh.) An
    ordinary night changes a few percent of the per-dossier tables: analyzing each of them anyway sampled the whole
    table (5 s a night on the year; 27 s with a cold cache), for statistics that barely moved. Their build stamps,
    the columns a night selects on, are indexed, so the planner reads their newest values from the index, not the
    histogram. Views have no statistics. -#}
{% macro analyze_when_stale() -%}
do $analyze$
declare
    target regclass := to_regclass('{{ this.include(database=false) }}');
begin
    if target is null or (select relkind from pg_class where oid = target) not in ('r', 'p', 'm') then
        return;
    end if;
    if not exists (
        select from pg_stats
        where schemaname = '{{ this.schema }}' and tablename = '{{ this.identifier }}'
    )
    or pg_stat_get_xact_tuples_inserted(target)
        + pg_stat_get_xact_tuples_updated(target)
        + pg_stat_get_xact_tuples_deleted(target)
        > current_setting('autovacuum_analyze_threshold')::float8
        + current_setting('autovacuum_analyze_scale_factor')::float8
        * greatest((select reltuples from pg_class where oid = target), 0)
    then
        execute 'analyze ' || target::text;
    end if;
end
$analyze$
{%- endmacro %}
