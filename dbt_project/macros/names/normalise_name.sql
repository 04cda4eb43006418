{#- A party or outlet name reduced for exact matching: lower case, honorifics and punctuation gone. -#}
{% macro normalise_name(column) -%}
trim({{ regexp_replace_all(
    "regexp_replace(lower(coalesce(" ~ column ~ ", '')), '^(m/s\\.?|m/s|messrs\\.?)\\s*', '')", "'[^a-z0-9]+'", "' '"
) }})
{%- endmacro %}
