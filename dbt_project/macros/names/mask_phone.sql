{#- A phone number as people may see it: its last four digits, every other digit masked (`••••••3210`), so no
    raw number reaches the warehouse or its published copy (the lake keeps the master as sent). -#}
{% macro mask_phone(column) -%}
case
    when nullif({{ regexp_replace_all(column, "'[^0-9]'", "''") }}, '') is null then null
    else '••••••' || right({{ regexp_replace_all(column, "'[^0-9]'", "''") }}, 4)
end
{%- endmacro %}
