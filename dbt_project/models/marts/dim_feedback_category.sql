-- Feedback categories (`category` of fct_feedback): about rules or procedures, about an official's conduct.
with

labels as (
    select * from {{ ref('code_labels') }}
)

select
    labels.code as category,
    labels.label as category_name
from labels
where labels.code_set = 'feedback_category'
