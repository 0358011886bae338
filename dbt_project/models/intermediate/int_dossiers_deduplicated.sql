-- One row per dossier: its latest state across every night it was landed (latest change, then latest landing).
with

versions as (
    select * from {{ ref('int_dossier_versions_unioned') }}
),

ranked as (
    select
        versions.*,
        row_number() over (partition by dossier_code order by changed_at desc, extracted_at desc) as recency
    from versions
)

select * from ranked
where recency = 1
