-- The landing: every record exactly as a system sent it, so staging can be rebuilt from raw alone.
-- One table per entity across all systems; `kind` says which contract the payload follows.
-- Partitioned by month of the night that landed a row (`interval_start`): a night writes one partition, and
-- retention (`onestop raw purge`) rewrites or drops whole months. The loader owns them (it adds a month as nights
-- reach it: raw.ensure_month). A warehouse from before the partitioning keeps its plain tables until
-- `onestop raw partition` moves them (the landing refuses plain ones, naming that command).

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
) partition by range (interval_start);
create table if not exists raw.feedback_records (like raw.dossier_records) partition by range (interval_start);

-- A key's versions, by system: the landing's rules probe it (a code another system landed, a version already
-- standing) without reading the night's own rows, which sit under their own system.
create index if not exists dossier_records_key on raw.dossier_records (record_key, system_id, changed_at);
create index if not exists dossier_records_batch on raw.dossier_records (system_id, interval_start);
create index if not exists feedback_records_key on raw.feedback_records (record_key, system_id, changed_at);
create index if not exists feedback_records_batch on raw.feedback_records (system_id, interval_start);
-- A csv row a corrected re-export took back is marked by a version with this checksum (onestop/extract/landing.py);
-- staging looks them up for every version it reads.
create index if not exists dossier_records_retracted on raw.dossier_records (system_id, record_key, changed_at)
    where checksum = 'retracted';
create index if not exists feedback_records_retracted on raw.feedback_records (system_id, record_key, changed_at)
    where checksum = 'retracted';
-- The rows a csv file landed, by the file they came from: a corrected re-export takes back what its earlier versions
-- held and it does not (landing.retract_sql), reading that file's rows, not every row the system ever landed.
create index if not exists dossier_records_file on raw.dossier_records (system_id, (payload ->> '_file'))
    where kind = 'csv_drop' and checksum <> 'retracted';
create index if not exists feedback_records_file on raw.feedback_records (system_id, (payload ->> '_file'))
    where kind = 'csv_drop' and checksum <> 'retracted';

-- The month a night lands in, for both tables (idempotent; two landings adding it at once is no error). It runs
-- as its owner, the loader, whoever calls it: the months are the loader's, which the purge rewrites and drops.
create or replace function raw.ensure_month(night timestamp) returns void
language plpgsql security definer set search_path = pg_catalog as $ensure$
declare
    parent text;
    first_day date := date_trunc('month', night)::date;
begin
    if (select relkind from pg_class where oid = 'raw.dossier_records'::regclass) <> 'p' then
        raise exception 'raw.dossier_records is not partitioned by month (a warehouse from before the partitioning):'
            ' run `onestop raw partition` once (README, "Retention and the month partitions")';
    end if;
    foreach parent in array array['dossier_records', 'feedback_records'] loop
        if to_regclass(format('raw.%I_%s', parent, to_char(first_day, 'YYYY_MM'))) is null then
            begin
                execute format(
                    'create table raw.%I partition of raw.%I for values from (%L) to (%L)',
                    format('%s_%s', parent, to_char(first_day, 'YYYY_MM')), parent,
                    first_day, (first_day + interval '1 month')::date
                );
            exception when duplicate_table or unique_violation then
                null;
            end;
        end if;
    end loop;
end
$ensure$;

do $owner$
begin
    -- The partitioned tables (not the plain ones of an older warehouse: `onestop raw partition` hands those over).
    if (select relkind from pg_class where oid = 'raw.dossier_records'::regclass) = 'p' then
        alter table raw.dossier_records owner to onestop_loader;
        alter table raw.feedback_records owner to onestop_loader;
        alter function raw.ensure_month(timestamp) owner to onestop_loader;
    end if;
end
$owner$;

grant select, insert, update, delete, truncate on all tables in schema raw to onestop_loader;
grant select on all tables in schema raw to onestop_transformer;
revoke all on function raw.ensure_month(timestamp) from public;
grant execute on function raw.ensure_month(timestamp) to onestop_loader;

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
