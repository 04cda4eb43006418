{#- A phone number as people may see it: its last four digits, every other digit masked (`••••••3210`), so no
    raw number reaches the warehouse or its published copy (the lake keeps the master as sent). -#}
{% macro mask_phone(column) -%}
case
    when nullif(regexp_replace({{ column }}, '[^0-9]', '', 'g'), '') is null then null
    else '••••••' || right(regexp_replace({{ column }}, '[^0-9]', '', 'g'), 4)
end
{%- endmacro %}
