-- Feedback categories (`category` of fct_feedback): about rules or procedures, about an official's conduct.
{{ code_label_model('feedback_category', 'category', 'category_name') }}
