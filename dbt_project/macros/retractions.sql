{#- (Relations are read through `(select * from ...)`: dbt's `--empty` renders a ref or source as an aliased
    subquery, which another alias would break.) -#}

{#- The versions of a csv_drop system that stand: a corrected re-export of a day's file that no longer holds a row
    takes that row's version back (the landing marks it with a version whose checksum is 'retracted'); a version
    landed after the mark (the row is in the file again) stands. -#}
{% macro standing_csv_versions(source_table) -%}
    select records.*
    from (select * from {{ source('raw', source_table) }}) as records
    where
        records.kind = 'csv_drop'
        and records.checksum <> 'retracted'
        and not exists (
            select 1 from (select * from {{ source('raw', source_table) }}) as retraction
            where
                retraction.checksum = 'retracted'
                and retraction.system_id = records.system_id
                and retraction.record_key = records.record_key
                and retraction.changed_at = records.changed_at
                and retraction.extracted_at > records.extracted_at
        )
{%- endmacro %}

{#- A post-hook for the incremental models keyed on dossier_code: a dossier whose every version was taken back
    has no row to replace its old one, so the old one is deleted (only retracted codes are looked at). -#}
{% macro forget_retracted_dossiers() -%}
    delete from {{ this }} as held
    where
        held.dossier_code in (
            select retraction.record_key from (select * from {{ ref('stg_csv_drop__retractions') }}) as retraction
            where retraction.entity = 'dossiers'
        )
        and not exists (
            select 1 from (select * from {{ ref('int_dossiers_deduplicated') }}) as standing
            where standing.dossier_code = held.dossier_code
        )
{%- endmacro %}

{#- int_dossiers_deduplicated's post-hook: a dossier's held row whose version was taken back and which no standing
    version replaced this build. -#}
{% macro drop_retracted_versions() -%}
    delete from {{ this }} as held
    using (select * from {{ ref('stg_csv_drop__retractions') }}) as retraction
    where
        retraction.entity = 'dossiers'
        and retraction.system_id = held.system_id
        and retraction.record_key = held.dossier_code
        and retraction.changed_at = held.changed_at
        and retraction.extracted_at > held.extracted_at
{%- endmacro %}
