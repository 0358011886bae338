-- Applicant types (`applicant_type` of fct_dossiers): citizen, business, state agency, other organisation.
with

labels as (
    select * from {{ ref('code_labels') }}
)

select
    labels.code as applicant_type,
    labels.label as applicant_type_name
from labels
where labels.code_set = 'applicant_type'
