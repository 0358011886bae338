-- The landing: every record exactly as a system sent it, so staging can be rebuilt from raw alone.
-- One table per entity across all systems; `kind` says which contract the payload follows.

create table if not exists raw.dossier_records (
    system_id       text        not null,
    kind            text        not null,
    batch_id        text        not null,            -- one extraction of one system for one interval
    interval_start  timestamp   not null,
    interval_end    timestamp   not null,
    extracted_at    timestamptz not null,
    record_key      text        not null,            -- the dossier code
    changed_at      timestamp   not null,            -- the system's last-change time
    checksum        text        not null,            -- md5 of the payload as received
    payload         jsonb       not null
);
create index if not exists dossier_records_key on raw.dossier_records (record_key, changed_at);
create index if not exists dossier_records_batch on raw.dossier_records (system_id, interval_start);

create table if not exists raw.feedback_records (like raw.dossier_records including all);

grant select, insert, update, delete, truncate on all tables in schema raw to onestop_loader;
grant select on all tables in schema raw to onestop_transformer;
