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
-- A csv row a corrected re-export took back is marked by a version with this checksum (onestop/extract/landing.py);
-- staging looks them up for every version it reads.
create index if not exists dossier_records_retracted on raw.dossier_records (system_id, record_key, changed_at)
    where checksum = 'retracted';
create index if not exists feedback_records_retracted on raw.feedback_records (system_id, record_key, changed_at)
    where checksum = 'retracted';

grant select, insert, update, delete, truncate on all tables in schema raw to onestop_loader;
grant select on all tables in schema raw to onestop_transformer;

-- Reference data that travels with the registry (units.csv, procedures.csv), replaced each night by the loader.
create table if not exists raw.ref_units (
    unit_code       text primary key,
    unit_name       text not null,
    level           text not null,
    valid_from      date not null,
    valid_to        date,
    successor_code  text,
    loaded_at       timestamptz not null default now()
);

create table if not exists raw.ref_procedures (
    procedure_code  text primary key,
    procedure_name  text not null,
    field_code      text,
    statutory_days  integer not null,
    cutoff          time,
    has_fee         boolean not null,
    issues_result   boolean not null,
    online_level    smallint,
    loaded_at       timestamptz not null default now()
);

grant select, insert, update, delete, truncate on raw.ref_units, raw.ref_procedures to onestop_loader;
grant select on raw.ref_units, raw.ref_procedures to onestop_transformer;

-- Incremental dbt builds find what landed since their last run; the observation is the newest night's end.
create index if not exists dossier_records_extracted on raw.dossier_records (extracted_at);
create index if not exists dossier_records_interval_end on raw.dossier_records (interval_end);
create index if not exists feedback_records_extracted on raw.feedback_records (extracted_at);
