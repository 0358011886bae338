-- Online payment (`paid_online` of fct_dossiers): none, on the national portal, on the province's gateway.
{{ code_label_model('online_payment', 'paid_online', 'payment_name') }}
