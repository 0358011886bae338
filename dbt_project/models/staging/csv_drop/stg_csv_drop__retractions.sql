-- The rows a corrected re-export of a csv day's file took back: one mark per (system, code, change time), landed
-- when the corrected file was read. Versions of that code and change time landed before the mark do not stand.
with

{% for entity, table in [('dossiers', 'dossier_records'), ('feedback', 'feedback_records')] %}
{{ entity }}_marks as (
    select
        system_id,
        '{{ entity }}' as entity,
        record_key,
        changed_at,
        extracted_at,
        payload ->> '_file' as file_name
    from {{ source('raw', table) }}
    where checksum = 'retracted'
),

{% endfor %}
marks as (
    select * from dossiers_marks
    union all
    select * from feedback_marks
)

select
    system_id,
    entity,
    record_key,
    changed_at,
    extracted_at,
    file_name
from marks
