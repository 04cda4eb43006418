{#- Custom schemas are used as named (staging, intermediate, main, ops), not prefixed with the target schema:
    analysts find the marts in `main`, where DuckDB looks first, and the ledger, quarantine, review and
    data-quality tables in `ops`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
