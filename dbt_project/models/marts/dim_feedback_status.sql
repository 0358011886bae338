-- Feedback status codes (`status_code` of fct_feedback) with their Vietnamese names.
with

labels as (
    select * from {{ ref('code_labels') }}
)

select
    labels.code as status_code,
    labels.label as status_name
from labels
where labels.code_set = 'feedback_status'
