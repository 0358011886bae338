-- Submission channels (`channel` of fct_dossiers): in person, online, public postal service.
with

labels as (
    select * from {{ ref('code_labels') }}
)

select
    labels.code as channel,
    labels.label as channel_name
from labels
where labels.code_set = 'channel'
