-- The procedure catalogue: statutory working days, cut-off, fee, result document, online level.
select
    procedure_code,
    procedure_name,
    field_code,
    statutory_days,
    cutoff,
    has_fee,
    issues_result,
    online_level
from {{ source('raw', 'ref_procedures') }}
