{#- The business date of a master snapshot: the date its file name carries (`outlets_2026-08-01.csv`), else the
    day it was received. -#}
{% macro master_business_date(file_name, received_at) -%}
coalesce(
    try_cast(nullif(regexp_extract({{ file_name }}, '(\d{4}-\d{2}-\d{2})\.\w+$', 1), '') as date),
    {{ received_at }}::date
)
{%- endmacro %}
