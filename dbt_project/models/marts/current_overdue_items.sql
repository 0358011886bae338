{{ config(materialized='table') }}

-- What is overdue now, as the data stands (`data_as_of`): the items of the latest month still open and past due,
-- with who holds them. "Now" is the end of the last night landed, not the clock of whoever reads this.
with

items as (
    select * from {{ ref('fct_overdue_items') }}
),

latest as (
    select max(items.month_start) as month_start from items
)

select
    items.item_type,
    items.item_code,
    items.unit_code,
    items.current_unit_code,
    items.procedure_code,
    items.procedure_name,
    items.received_at,
    items.due_at,
    items.supplement_requests,
    items.working_days_overdue,
    items.handler,
    items.department,
    items.data_as_of
from items
inner join latest on items.month_start = latest.month_start
where items.is_open
