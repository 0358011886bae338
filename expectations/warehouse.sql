-- The warehouse suite's batch: the dossiers the latest build of the marts wrote (the night's rows; older rows were
-- judged the night they were written).
select d.system_id, d.dossier_code, d.status_code, d.is_history_after_withdrawal
from marts.fct_dossiers as d
where d.refreshed_at = (select max(s.refreshed_at) from marts.fct_dossiers as s)
