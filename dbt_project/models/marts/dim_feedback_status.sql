-- Feedback status codes (`status_code` of fct_feedback) with their Vietnamese names.
{{ code_label_model('feedback_status', 'status_code', 'status_name') }}
