{#- A name as its matching key: lower case, only ASCII letters and digits and Devanagari kept ('' for null).
    The dbt twin of `name_key` in ingest/core/values.py (the one Python definition, used for SKU mapping, the
    review queue and review decisions): change both together; tests/test_name_key.py runs the two on tricky
    names through DuckDB and holds them equal (DuckDB's spelling, default__; Spark replaces every match without
    the 'g' flag). -#}
{% macro review_name_key(column) -%}
{{ return(adapter.dispatch('review_name_key', 'sellthrough')(column)) }}
{%- endmacro %}
{% macro default__review_name_key(column) -%}
regexp_replace(lower(coalesce({{ column }}, '')), '[^0-9a-z\x{0900}-\x{097f}]', '', 'g')
{%- endmacro %}
{% macro spark__review_name_key(column) -%}
regexp_replace(lower(coalesce({{ column }}, '')), '[^0-9a-z\x{0900}-\x{097f}]', '')
{%- endmacro %}
