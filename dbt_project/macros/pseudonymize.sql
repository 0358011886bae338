{#- HMAC-SHA256 of a personal value with the province's key (its pads in audit.pseudonym_key, readable by the
    transformer only), so no direct identifier leaves staging and the key never appears in compiled SQL or logs.
    Requires `pseudonym_key` (select ipad, opad) to be joined in the model. -#}
{% macro pseudonymize(expression) -%}
    case when nullif({{ expression }}, '') is not null then
        encode(sha256(pseudonym_key.opad || sha256(pseudonym_key.ipad || convert_to({{ expression }}, 'UTF8'))), 'hex')
    end
{%- endmacro %}
