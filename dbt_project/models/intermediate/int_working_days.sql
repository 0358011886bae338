-- Working days by their running number: "N working days after day d" is the working day numbered seq(d) + N.
{{ config(indexes=[{'columns': ['working_day_seq'], 'unique': True}]) }}

select working_day_seq, day
from {{ ref('dim_date') }}
where is_working_day
