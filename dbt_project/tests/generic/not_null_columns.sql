{#- Not null, for several columns of a model in one test: one scan and one test node (and one Dagster asset check)
instead of one per column, each of which costs dbt ~50 ms of its single-threaded Python and a Dagster event or
two (bench/README.md, "Session 19 (issue 19)"). A failing row per column that has nulls: its name and how many
rows have none. Portable (DuckDB and Spark: macros/engine). The test window and a `where` config narrow `model` as
they narrow any generic test (macros/testing/test_window.sql). -#}
{% test not_null_columns(model, column_names) %}
{%- for column in column_names -%}
{%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', column) -%}
{{ exceptions.raise_compiler_error("not_null_columns: not a column name: " ~ column) }}
{%- endif -%}
{%- endfor %}
with counted as (
    select
    {%- for column in column_names %}
        sum(case when {{ column }} is null then 1 else 0 end) as nulls_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
),

named as (
    select
        columns_tested.column_name,
        case columns_tested.position
        {%- for column in column_names %}
            when {{ loop.index }} then counted.nulls_{{ loop.index }}
        {%- endfor %}
        end as null_rows
    from counted
    cross join (
        values
        {%- for column in column_names %}
            ({{ loop.index }}, '{{ column }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as columns_tested (position, column_name)
)

select column_name, null_rows
from named
where null_rows > 0
{% endtest %}
