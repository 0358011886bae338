-- Applicant types (`applicant_type` of fct_dossiers): citizen, business, state agency, other organisation.
{{ code_label_model('applicant_type', 'applicant_type', 'applicant_type_name') }}
