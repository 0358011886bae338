-- The audit trail: what was extracted, what was set aside, what the gate found, what was published.

create table if not exists audit.extraction_runs (
    run_id          bigint generated always as identity primary key,
    system_id       text        not null,
    entity          text        not null,           -- dossiers | feedback
    interval_start  timestamp   not null,            -- local time, the Airflow data interval
    interval_end    timestamp   not null,
    try_number      integer     not null default 1,
    airflow_run_id  text,
    window_start    timestamp,                       -- what was asked of the system: [watermark - lookback, end)
    window_end      timestamp,
    rows_read       bigint      not null default 0,
    rows_landed     bigint      not null default 0,
    rows_quarantined bigint     not null default 0,
    duplicates_dropped bigint   not null default 0,
    control_total   bigint,                          -- what the system said it sent (dvcqg_api tong_so)
    bytes_read      bigint      not null default 0,
    seconds         numeric(12, 3),
    status          text        not null check (status in ('running', 'success', 'failed')),
    error           text,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz
);
-- time spent waiting on the system (requests, reads, parsing its format): `seconds` minus this is the write path
alter table audit.extraction_runs add column if not exists source_seconds numeric(12, 3);
-- a successful read the pipeline cannot vouch for (e.g. a system with history answering a window with nothing)
alter table audit.extraction_runs add column if not exists suspicion text;
alter table audit.extraction_runs add column if not exists rows_retracted integer not null default 0;
create index if not exists extraction_runs_system_interval
    on audit.extraction_runs (system_id, interval_start);

create table if not exists audit.watermarks (
    system_id   text      not null,
    entity      text      not null,
    watermark   timestamp not null,                  -- everything changed before this has landed
    updated_at  timestamptz not null default now(),
    primary key (system_id, entity)
);

create table if not exists audit.quarantine (
    quarantine_id   bigint generated always as identity primary key,
    system_id       text        not null,
    entity          text        not null,
    batch_id        text        not null,
    interval_start  timestamp   not null,
    position        text        not null,            -- page and index, file and line, or table row id
    reason          text        not null,
    raw_row         text        not null,            -- exactly as received
    quarantined_at  timestamptz not null default now()
);
create index if not exists quarantine_system_interval on audit.quarantine (system_id, interval_start);

-- csv_drop files landed, by content: a file written again with new content is read again.
create table if not exists audit.csv_files (
    system_id       text        not null,
    file_name       text        not null,
    checksum        text        not null,
    interval_start  timestamp   not null,
    batch_id        text        not null,
    loaded_at       timestamptz not null default now(),
    primary key (system_id, interval_start, file_name, checksum)
);

-- Each night's verdict on extraction: which enabled systems delivered and which did not, and why.
create table if not exists audit.nights (
    interval_start  timestamp   primary key,
    interval_end    timestamp   not null,
    expected        text[]      not null,
    delivered       text[]      not null,
    missing         text[]      not null,
    complete        boolean     not null,
    reasons         jsonb       not null default '{}',
    recorded_at     timestamptz not null default now()
);

create table if not exists audit.quality_results (
    result_id       bigint generated always as identity primary key,
    run_id          text        not null,
    interval_start  timestamp,
    suite           text        not null,
    expectation     text        not null,
    severity        text        not null check (severity in ('error', 'warning')),
    success         boolean     not null,
    observed_value  text,
    details         jsonb,
    checked_at      timestamptz not null default now()
);
create index if not exists quality_results_run on audit.quality_results (run_id);

create table if not exists audit.report_runs (
    report_month    date        not null,            -- first day of the month reported
    view            text        not null check (view in ('as_was', 'as_is')),
    generated_at    timestamptz not null default now(),
    gate_verdict    text        not null,
    files           jsonb       not null,
    primary key (report_month, view)
);

-- The gate's verdict on each night and enabled system (onestop/quality/verdict.py); BI reads it through the dbt
-- views marts.night_completeness and marts.data_completeness.
create table if not exists audit.night_verdicts (
    night           date        not null,
    system_id       text        not null,
    delivered       boolean     not null,
    complete        boolean     not null,
    reasons         text[]      not null,
    gate_run_id     text        not null,
    marts_built     boolean     not null default true, -- false: the gate judged the landing only (dbt did not run)
    checked_at      timestamptz not null default now(),
    primary key (night, system_id)
);
-- why not, as codes (`suite.expectation`, `not_delivered`): the report renders them in Vietnamese; `reasons` holds the
-- English detail for engineers
alter table audit.night_verdicts add column if not exists reason_codes text[] not null default '{}';
-- An older version kept the verdicts in a table of marts, created by the gate; they move here once (the dbt view
-- of the same name replaces that table at the next build).
do $$
begin
    if exists (select 1 from pg_tables where schemaname = 'marts' and tablename = 'night_completeness') then
        insert into audit.night_verdicts (night, system_id, delivered, complete, reasons, gate_run_id, marts_built,
            checked_at)
        select night, system_id, delivered, complete, reasons, gate_run_id, marts_built, checked_at
        from marts.night_completeness
        on conflict do nothing;
    end if;
end
$$;

-- Reconciliation (weekly and `onestop reconcile`): each system's whole key set against what landed.
create table if not exists audit.reconciliation_runs (
    run_id          bigint generated always as identity primary key,
    system_id       text        not null,
    read_at         timestamp   not null,            -- local time the system was read
    findings        jsonb       not null default '{}',
    rewound_to      timestamp,                       -- the watermark set so the next night re-reads lost changes
    started_at      timestamptz not null default now(),
    finished_at     timestamptz
);
create table if not exists audit.reconciliation_findings (
    run_id              bigint      not null references audit.reconciliation_runs (run_id) on delete cascade,
    system_id           text        not null,
    entity              text        not null,
    finding             text        not null check (finding in ('lost', 'backward_edit', 'deleted')),
    record_key          text        not null,
    source_changed_at   timestamp,                   -- null: no longer in the system
    landed_changed_at   timestamp,                   -- null: never landed
    primary key (run_id, entity, record_key)
);

grant select, insert, update, delete on audit.extraction_runs, audit.watermarks, audit.quarantine,
    audit.csv_files, audit.nights, audit.reconciliation_runs, audit.reconciliation_findings to onestop_loader;
grant select, insert, update, delete on audit.quality_results, audit.report_runs, audit.night_verdicts
    to onestop_transformer;
grant select on all tables in schema audit to onestop_loader, onestop_transformer;
