-- The moment the warehouse's data stands at: the last second of the last night landed. Open items are judged no
-- later than this (never at the wall clock's now(), so a rebuild gives the same marts).
select max(interval_end) - interval '1 second' as observed_at
from {{ source('raw', 'dossier_records') }}
