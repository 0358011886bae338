-- The ten national dossier status codes (`status_code` of fct_dossiers) with their Vietnamese names.
with

labels as (
    select * from {{ ref('code_labels') }}
)

select
    labels.code as status_code,
    labels.label as status_name
from labels
where labels.code_set = 'status'
