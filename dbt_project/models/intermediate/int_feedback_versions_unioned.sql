{{ config(materialized='view') }}

-- Every landed feedback version from every kind of system, in one canonical shape.
{% set common %}
    system_id, kind, extracted_at, changed_at, feedback_id, unit_code, category, sent_at, intake_at, handled_at,
    published_at, status_code
{% endset %}

select {{ common }} from {{ ref('stg_dvcqg_api__feedback') }}
union all
select {{ common }} from {{ ref('stg_onegate_db__feedback') }}
union all
select {{ common }} from {{ ref('stg_csv_drop__feedback') }}
