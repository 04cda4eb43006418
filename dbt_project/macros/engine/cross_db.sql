{#-
SQL that DuckDB and Spark spell differently, one dispatched macro each (adapter.dispatch): `default__` is
DuckDB's spelling (the embedded default, byte for byte what the models wrote before), `spark__` Spark's
(docs/scale-out.md). dbt's own cross-database macros (dbt.type_string, dbt.dateadd, dbt.datediff, dbt.date_trunc,
dbt.safe_cast, dbt.concat, ...) come first; these are the ones dbt does not have.
-#}

{#- every match of `pattern` replaced (DuckDB needs the 'g' flag, Spark replaces all anyway) -#}
{% macro regexp_replace_all(text, pattern, replacement) -%}
{{ return(adapter.dispatch('regexp_replace_all', 'sellthrough')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(text, pattern, replacement) -%}
regexp_replace({{ text }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(text, pattern, replacement) -%}
regexp_replace({{ text }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{#- true when the list (array) holds the value -#}
{% macro list_has(list, value) -%}
{{ return(adapter.dispatch('list_has', 'sellthrough')(list, value)) }}
{%- endmacro %}
{% macro default__list_has(list, value) -%}
list_contains({{ list }}, {{ value }})
{%- endmacro %}
{% macro spark__list_has(list, value) -%}
array_contains({{ list }}, {{ value }})
{%- endmacro %}

{#- a text split into a list at every `delimiter` (one character that is no regex metacharacter: Spark splits
    at a pattern) -#}
{% macro split_to_list(text, delimiter) -%}
{{ return(adapter.dispatch('split_to_list', 'sellthrough')(text, delimiter)) }}
{%- endmacro %}
{% macro default__split_to_list(text, delimiter) -%}
string_split({{ text }}, {{ delimiter }})
{%- endmacro %}
{% macro spark__split_to_list(text, delimiter) -%}
split({{ text }}, {{ delimiter }})
{%- endmacro %}

{#- an aggregate: the values joined by `delimiter` in the order of `order_by` (nulls skipped) -#}
{% macro ordered_string_agg(expression, delimiter, order_by) -%}
{{ return(adapter.dispatch('ordered_string_agg', 'sellthrough')(expression, delimiter, order_by)) }}
{%- endmacro %}
{% macro default__ordered_string_agg(expression, delimiter, order_by) -%}
string_agg({{ expression }}, {{ delimiter }} order by {{ order_by }})
{%- endmacro %}
{% macro spark__ordered_string_agg(expression, delimiter, order_by) -%}
array_join(transform(
    array_sort(collect_list(struct({{ order_by }} as sort_key, {{ expression }} as value))),
    item -> item.value
), {{ delimiter }})
{%- endmacro %}

{#- an aggregate: `value` of the row with the largest `by` (DuckDB arg_max, Spark max_by) -#}
{% macro arg_max(value, by) -%}
{{ return(adapter.dispatch('arg_max', 'sellthrough')(value, by)) }}
{%- endmacro %}
{% macro default__arg_max(value, by) -%}
arg_max({{ value }}, {{ by }})
{%- endmacro %}
{% macro spark__arg_max(value, by) -%}
max_by({{ value }}, {{ by }})
{%- endmacro %}

{#- a date as 'YYYY-MM-DD' text -#}
{% macro iso_date_text(date) -%}
{{ return(adapter.dispatch('iso_date_text', 'sellthrough')(date)) }}
{%- endmacro %}
{% macro default__iso_date_text(date) -%}
strftime({{ date }}, '%Y-%m-%d')
{%- endmacro %}
{% macro spark__iso_date_text(date) -%}
date_format({{ date }}, 'yyyy-MM-dd')
{%- endmacro %}

{#- the ISO weekday of a date: 1 = Monday ... 7 = Sunday -#}
{% macro iso_weekday(date) -%}
{{ return(adapter.dispatch('iso_weekday', 'sellthrough')(date)) }}
{%- endmacro %}
{% macro default__iso_weekday(date) -%}
isodow({{ date }})
{%- endmacro %}
{% macro spark__iso_weekday(date) -%}
(weekday({{ date }}) + 1)
{%- endmacro %}

{#- in a select list: one row per day from `start_date` to `end_date` (both included), as a date -#}
{% macro days_between(start_date, end_date) -%}
{{ return(adapter.dispatch('days_between', 'sellthrough')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__days_between(start_date, end_date) -%}
unnest(generate_series({{ start_date }}, {{ end_date }}, interval 1 day))::date
{%- endmacro %}
{% macro spark__days_between(start_date, end_date) -%}
explode(sequence({{ start_date }}, {{ end_date }}, interval 1 day))
{%- endmacro %}

{#- a row value of the columns (a comma-separated list), compared as a whole (`is distinct from`) -#}
{% macro row_of(columns) -%}
{{ return(adapter.dispatch('row_of', 'sellthrough')(columns)) }}
{%- endmacro %}
{% macro default__row_of(columns) -%}
row({{ columns }})
{%- endmacro %}
{% macro spark__row_of(columns) -%}
struct({{ columns }})
{%- endmacro %}
