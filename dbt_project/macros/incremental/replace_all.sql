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
