{#- A text cell of a CSV the project wrote, as it was before ingest/core/cell_safety.py escaped it: a value that
    begins like a spreadsheet formula (= + - @ tab CR) is stored with one leading apostrophe, taken off here: one
    apostrophe or more, then one of those (\x27 is the apostrophe, spelt so for Spark, whose SQL strings with
    escapedStringLiterals on keep '' as two). -#}
{% macro unescape_cell(column) -%}
case
    when {{ regex_matches(column, "'^\\x27+[=+\\-@\\t\\r]'") }}
        then substr({{ column }}, 2)
    else {{ column }}
end
{%- endmacro %}
