-- The province's units, effective-dated: each former unit names its successor from 1 July 2025 (Resolution 1660).
with

units as (
    select * from {{ source('raw', 'ref_units') }}
)

select
    units.unit_code,
    units.unit_name,
    units.level,
    units.valid_from,
    units.valid_to,
    units.successor_code,
    coalesce(units.successor_code, units.unit_code) as current_unit_code,
    successor.unit_name as successor_name,
    coalesce(successor.level, units.level) as current_level,
    units.valid_to is null as is_current
from units
left join units as successor on units.successor_code = successor.unit_code
