{{ config(materialized='table') }}

-- What is overdue now, as the data stands (`data_as_of`): the items of the latest month still open and past due,
-- with who holds them. "Now" is the end of the last night landed, not the clock of whoever reads this.
with

items as (
    select * from {{ ref('fct_overdue_items') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

latest as (
    select max(items.month_start) as month_start from items
)

select
    items.item_type,
    case items.item_type when 'dossier' then 'Hồ sơ' when 'feedback' then 'Phản ánh, kiến nghị' end
        as item_type_name,
    items.item_code,
    items.unit_code,
    received_by.unit_name,
    items.current_unit_code,
    now_at.unit_name as current_unit_name,
    items.procedure_code,
    items.procedure_name,
    items.received_at,
    items.due_at,
    items.supplement_requests,
    items.working_days_overdue,
    items.holder as handler,
    items.department,
    items.data_as_of
from items
inner join latest on items.month_start = latest.month_start
left join units as received_by on items.unit_code = received_by.unit_code
left join units as now_at on items.current_unit_code = now_at.unit_code
where items.is_open
