{#- A review-queue name as a key: lower case, only letters, digits and Devanagari (ingest/core/reviews.py name_key). -#}
{% macro review_name_key(column) -%}
regexp_replace(lower(coalesce({{ column }}, '')), '[^0-9a-z\x{0900}-\x{097f}]', '', 'g')
{%- endmacro %}
