-- One row per feedback item: its latest state (a transfer within a system carries the new unit and intake), its
-- deadlines (15 working days to answer, 2 to refuse, from the clock start of its intake).
with

versions as (
    select * from {{ ref('int_feedback_versions_unioned') }}
),

latest as (
    select distinct on (feedback_id) *
    from versions
    order by feedback_id, changed_at desc, extracted_at desc
),

calendar as (
    select * from {{ ref('dim_date') }}
),

working_days as (
    select * from {{ ref('int_working_days') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

clocked as (
    select
        latest.*,
        ({{ clock_start('latest.intake_at', 'intake_day', 'null::time') }})::date as clock_start_day
    from latest
    left join calendar as intake_day on latest.intake_at::date = intake_day.day
)

select
    clocked.feedback_id,
    clocked.system_id,
    clocked.kind,
    clocked.unit_code,
    coalesce(units.current_unit_code, clocked.unit_code) as current_unit_code,
    clocked.category,
    clocked.sent_at,
    clocked.intake_at,
    clocked.handled_at,
    clocked.published_at,
    clocked.status_code,
    clocked.status_code = 6 as is_transferred_out,
    clocked.status_code = 5 as is_refused,
    answer_due.day as answer_due_on,
    refusal_due.day as refusal_due_on
from clocked
left join units on clocked.unit_code = units.unit_code
left join calendar as start_day on clocked.clock_start_day = start_day.day
left join working_days as answer_due on answer_due.working_day_seq = start_day.working_day_seq + 15
left join working_days as refusal_due on refusal_due.working_day_seq = start_day.working_day_seq + 2
