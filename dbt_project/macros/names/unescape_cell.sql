{#- A text cell of a CSV the project wrote, as it was before ingest/core/cell_safety.py escaped it: a value that
    begins like a spreadsheet formula (= + - @ tab CR) is stored with one leading apostrophe, taken off here. -#}
{% macro unescape_cell(column) -%}
case
    when starts_with({{ column }}, '''') and regexp_matches(ltrim({{ column }}, ''''), '^[=+\-@\t\r]')
        then substr({{ column }}, 2)
    else {{ column }}
end
{%- endmacro %}
