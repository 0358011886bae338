-- Schemas and who may do what in them, including on tables created later (default privileges).
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists marts;
create schema if not exists audit;

revoke all on schema public from public;
revoke all on schema raw, staging, marts, audit from public;

-- raw: the loader writes, the transformer reads (and nothing else does: raw holds personal data).
grant usage, create on schema raw to onestop_loader;
grant usage on schema raw to onestop_transformer;

-- staging and marts: built by the transformer (dbt); BI sees marts and only marts.
grant usage, create on schema staging, marts to onestop_transformer;
grant usage on schema marts to onestop_bi;

-- audit: runs, watermarks, quarantine (loader); quality results and report runs (transformer).
grant usage on schema audit to onestop_loader, onestop_transformer;

-- Tables the owner creates (this bootstrap) or each role creates later get the same grants.
do $defaults$
declare
    creator text;
begin
    foreach creator in array array[current_user::text, 'onestop_loader', 'onestop_transformer'] loop
        execute format('alter default privileges for role %I in schema raw '
            'grant select, insert, update, delete, truncate on tables to onestop_loader', creator);
        execute format('alter default privileges for role %I in schema raw '
            'grant select on tables to onestop_transformer', creator);
        execute format('alter default privileges for role %I in schema raw '
            'grant usage, select on sequences to onestop_loader', creator);
        execute format('alter default privileges for role %I in schema staging '
            'grant select on tables to onestop_transformer', creator);
        execute format('alter default privileges for role %I in schema marts '
            'grant select on tables to onestop_bi', creator);
        execute format('alter default privileges for role %I in schema audit '
            'grant select on tables to onestop_loader, onestop_transformer', creator);
        execute format('alter default privileges for role %I in schema audit '
            'grant usage, select on sequences to onestop_loader, onestop_transformer', creator);
    end loop;
end
$defaults$;
