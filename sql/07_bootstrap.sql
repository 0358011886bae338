-- What `onestop warehouse init` has set: a role's password once given is never replaced by a later init unless it
-- is asked to (`--reset-passwords`), so a laptop pointed at a shared server cannot lock out BI tools and workers.
create table if not exists audit.role_passwords_set (
    role_name   text primary key,
    set_at      timestamptz not null default now()
);
revoke all on audit.role_passwords_set from onestop_loader, onestop_transformer, onestop_bi;
