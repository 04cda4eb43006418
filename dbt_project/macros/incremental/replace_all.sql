{#- The `replace_all` incremental strategy: the model's select holds every row the table is to have (the rows it
    kept from {{ this }} and the new ones); the table's rows are replaced by them. For a small table whose model
    decides itself what to keep (int_sales_anomalies__detected, a Python model), while dbt's is_incremental (and
    so --full-refresh) still reaches it. -#}
{% macro get_incremental_replace_all_sql(arg_dict) -%}
{%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
delete from {{ arg_dict['target_relation'] }};
insert into {{ arg_dict['target_relation'] }} ({{ columns }})
select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- A post-hook for an incremental Python model: dbt-duckdb writes the model's rows to `<name>__dbt_tmp<time>`, a
    "temporary" relation it never drops for a Python model (a real table, left in the warehouse and published,
    one more each night). Drops the model's own leftovers; `select 1` when there are none. -#}
{% macro drop_python_temp_tables() -%}
{%- set leftovers = [] -%}
{%- if execute -%}
{%- set query -%}
select table_catalog, table_schema, table_name from information_schema.tables
where table_type = 'BASE TABLE' and starts_with(table_name, '{{ this.identifier }}__dbt_tmp')
{%- endset -%}
{%- set leftovers = run_query(query).rows -%}
{%- endif -%}
{%- for catalog, schema, name in leftovers %}drop table if exists "{{ catalog }}"."{{ schema }}"."{{ name }}";
{% endfor -%}
{%- if not leftovers %}select 1{% endif -%}
{%- endmacro %}
