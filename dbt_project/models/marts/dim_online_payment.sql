-- Online payment (`paid_online` of fct_dossiers): none, on the national portal, on the province's gateway.
with

labels as (
    select * from {{ ref('code_labels') }}
)

select
    labels.code as paid_online,
    labels.label as payment_name
from labels
where labels.code_set = 'online_payment'
