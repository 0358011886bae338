#!/bin/sh
# Metabase's application database (its questions, dashboards, users) on this PostgreSQL, owned by a login of its own
# granted nothing in the warehouse: run once, when the server's data folder is first created. A deployment made
# before this script existed creates them the same way: docker compose exec postgres sh /docker-entrypoint-initdb.d/10-metabase.sh
set -eu
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v password="$MB_DB_PASSWORD" <<'SQL'
select format('create role metabase login password %L', :'password')
where not exists (select from pg_roles where rolname = 'metabase')
\gexec
select 'create database metabase owner metabase'
where not exists (select from pg_database where datname = 'metabase')
\gexec
SQL
