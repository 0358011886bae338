-- The ten national dossier status codes (`status_code` of fct_dossiers) with their Vietnamese names.
{{ code_label_model('status', 'status_code', 'status_name') }}
