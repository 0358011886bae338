-- Submission channels (`channel` of fct_dossiers): in person, online, public postal service.
{{ code_label_model('channel', 'channel', 'channel_name') }}
