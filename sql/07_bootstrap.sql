-- What `onestop warehouse init` has set: a role's password once given is never replaced by a later init unless it
-- is asked to (`--reset-passwords`), so a laptop pointed at a shared server cannot lock out BI tools and workers.
do $upgrade$
begin
    if to_regclass('audit.role_passwords_set') is null then
        create table audit.role_passwords_set (
            role_name   text primary key,
            set_at      timestamptz not null default now()
        );
        -- A warehouse from before this table: a role that already has a password got it from an earlier init (or
        -- its administrator) and is kept like one set here. Reading pg_authid needs a superuser; without one the
        -- table starts empty, as on a new warehouse.
        begin
            insert into audit.role_passwords_set (role_name)
            select rolname from pg_authid
            where rolname like 'onestop\_%' and rolpassword is not null;
        exception when insufficient_privilege then
            null;
        end;
    end if;
end
$upgrade$;
revoke all on audit.role_passwords_set from onestop_loader, onestop_transformer, onestop_bi;
