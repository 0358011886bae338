-- Roles of the warehouse. Idempotent: safe to apply on every `onestop warehouse init` and by
-- docker-compose's PostgreSQL init. Passwords are not set here (they come from the environment).
--   onestop_loader       lands source data: writes raw and audit
--   onestop_transformer  runs dbt and the quality gate: reads raw, writes staging and marts
--   onestop_bi           BI tools and report readers: reads marts only
--   onestop_airflow      Airflow's own login: owns Airflow's metadata database, nothing here
do $roles$
declare
    role_name text;
begin
    foreach role_name in array array['onestop_loader', 'onestop_transformer', 'onestop_bi', 'onestop_airflow'] loop
        if not exists (select 1 from pg_roles where rolname = role_name) then
            execute format('create role %I login', role_name);
        end if;
    end loop;
end
$roles$;

-- Each role logs in as itself; the owner is a member of each so that `warehouse init` may grant on, and hand
-- over, what the roles own (on a server whose owner is not a superuser).
do $membership$
declare
    role_name text;
begin
    foreach role_name in array array['onestop_loader', 'onestop_transformer', 'onestop_bi', 'onestop_airflow'] loop
        if not pg_has_role(current_user, role_name, 'member') then
            execute format('grant %I to %I', role_name, current_user);
        end if;
    end loop;
end
$membership$;

do $connect$
begin
    execute format(
        'grant connect on database %I to onestop_loader, onestop_transformer, onestop_bi',
        current_database()
    );
end
$connect$;
