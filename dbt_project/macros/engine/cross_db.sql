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

{#- true when the text has a match of the regular expression anywhere (anchor it with ^ ... $ for a whole match) -#}
{% macro regex_matches(text, pattern) -%}
{{ return(adapter.dispatch('regex_matches', 'sellthrough')(text, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches(text, pattern) -%}
regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}
{% macro spark__regex_matches(text, pattern) -%}
({{ text }} rlike {{ pattern }})
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

{#- in a select list: one row per item of the list (array), the row's other columns repeated -#}
{% macro list_items(list) -%}
{{ return(adapter.dispatch('list_items', 'sellthrough')(list)) }}
{%- endmacro %}
{% macro default__list_items(list) -%}
unnest({{ list }})
{%- endmacro %}
{% macro spark__list_items(list) -%}
explode({{ list }})
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

{#- in a select list: one row per day from `start_date` to `end_date` (both included), as a date; every
    `step_days`th day when given -#}
{% macro days_between(start_date, end_date, step_days=1) -%}
{{ return(adapter.dispatch('days_between', 'sellthrough')(start_date, end_date, step_days)) }}
{%- endmacro %}
{% macro default__days_between(start_date, end_date, step_days=1) -%}
unnest(generate_series({{ start_date }}, {{ end_date }}, interval {{ step_days | int }} day))::date
{%- endmacro %}
{% macro spark__days_between(start_date, end_date, step_days=1) -%}
explode(sequence({{ start_date }}, {{ end_date }}, interval {{ step_days | int }} day))
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

{#- an aggregate: `value` of the row with the smallest `by` (DuckDB arg_min, Spark min_by) -#}
{% macro arg_min(value, by) -%}
{{ return(adapter.dispatch('arg_min', 'sellthrough')(value, by)) }}
{%- endmacro %}
{% macro default__arg_min(value, by) -%}
arg_min({{ value }}, {{ by }})
{%- endmacro %}
{% macro spark__arg_min(value, by) -%}
min_by({{ value }}, {{ by }})
{%- endmacro %}

{#- whole days from `start_date` to `end_date` (dates; negative when end is earlier) -#}
{% macro days_diff(start_date, end_date) -%}
{{ return(adapter.dispatch('days_diff', 'sellthrough')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__days_diff(start_date, end_date) -%}
datediff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}
{% macro spark__days_diff(start_date, end_date) -%}
datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}

{#- an aggregate: the values as a list, sorted by themselves (nulls skipped on Spark, kept last on DuckDB: use
    on non-null values) -#}
{% macro sorted_list(expression) -%}
{{ return(adapter.dispatch('sorted_list', 'sellthrough')(expression)) }}
{%- endmacro %}
{% macro default__sorted_list(expression) -%}
list({{ expression }} order by {{ expression }})
{%- endmacro %}
{% macro spark__sorted_list(expression) -%}
array_sort(collect_list({{ expression }}))
{%- endmacro %}

{#- the number of elements of a list -#}
{% macro list_length(list) -%}
{{ return(adapter.dispatch('list_length', 'sellthrough')(list)) }}
{%- endmacro %}
{% macro default__list_length(list) -%}
len({{ list }})
{%- endmacro %}
{% macro spark__list_length(list) -%}
size({{ list }})
{%- endmacro %}

{#- a `delimiter`-separated text as a list of its trimmed, non-empty items (an empty list for null) -#}
{% macro split_trimmed_list(text, delimiter) -%}
{{ return(adapter.dispatch('split_trimmed_list', 'sellthrough')(text, delimiter)) }}
{%- endmacro %}
{% macro default__split_trimmed_list(text, delimiter) -%}
coalesce(
        list_filter(list_transform(string_split({{ text }}, {{ delimiter }}), lambda code: trim(code)), lambda code: code <> ''),
        []
    )
{%- endmacro %}
{% macro spark__split_trimmed_list(text, delimiter) -%}
coalesce(
        filter(transform(split({{ text }}, {{ delimiter }}), code -> trim(code)), code -> code <> ''),
        cast(array() as array<string>)
    )
{%- endmacro %}

{#- in a from clause after `left_alias`: an inner ASOF join to `right` (a relation or CTE name, also its alias):
    each left row with the right row of the same `keys` (column names in both) whose `right_time` is the latest
    at or before the left row's `left_time`. Spark has no ASOF join: the right rows' validity spans (to the next
    right row, by lead) joined by range; the right side must have one row per keys x right_time. -#}
{% macro asof_join(left_alias, right, keys, right_time, left_time) -%}
{{ return(adapter.dispatch('asof_join', 'sellthrough')(left_alias, right, keys, right_time, left_time)) }}
{%- endmacro %}
{% macro default__asof_join(left_alias, right, keys, right_time, left_time) -%}
asof join {{ right }}
        on {% for key in keys %}{{ right }}.{{ key }} = {{ left_alias }}.{{ key }}
        and {% endfor %}{{ right }}.{{ right_time }} <= {{ left_alias }}.{{ left_time }}
{%- endmacro %}
{% macro spark__asof_join(left_alias, right, keys, right_time, left_time) -%}
inner join (
        select *, lead({{ right_time }}) over (partition by {{ keys | join(', ') }} order by {{ right_time }}) as _asof_until
        from {{ right }}
    ) as {{ right }}
        on {% for key in keys %}{{ right }}.{{ key }} = {{ left_alias }}.{{ key }}
        and {% endfor %}{{ right }}.{{ right_time }} <= {{ left_alias }}.{{ left_time }}
        and ({{ right }}._asof_until is null or {{ left_alias }}.{{ left_time }} < {{ right }}._asof_until)
{%- endmacro %}

{#- after `<name> as` in a with clause: a hint not to materialise the CTE (DuckDB; Spark inlines CTEs anyway) -#}
{% macro cte_not_materialized() -%}
{{ return(adapter.dispatch('cte_not_materialized', 'sellthrough')()) }}
{%- endmacro %}
{% macro default__cte_not_materialized() -%}
not materialized
{%- endmacro %}
{% macro spark__cte_not_materialized() -%}
{%- endmacro %}

{#- integer division, rounded towards minus infinity on DuckDB (`//`), towards zero on Spark (`div`): use on
    non-negative operands -#}
{% macro int_div(dividend, divisor) -%}
{{ return(adapter.dispatch('int_div', 'sellthrough')(dividend, divisor)) }}
{%- endmacro %}
{% macro default__int_div(dividend, divisor) -%}
({{ dividend }} // {{ divisor }})
{%- endmacro %}
{% macro spark__int_div(dividend, divisor) -%}
({{ dividend }} div {{ divisor }})
{%- endmacro %}

{#- true when the two lists share an element -#}
{% macro lists_overlap(left, right) -%}
{{ return(adapter.dispatch('lists_overlap', 'sellthrough')(left, right)) }}
{%- endmacro %}
{% macro default__lists_overlap(left, right) -%}
len(list_intersect({{ left }}, {{ right }})) > 0
{%- endmacro %}
{% macro spark__lists_overlap(left, right) -%}
size(array_intersect({{ left }}, {{ right }})) > 0
{%- endmacro %}

{#- an aggregate: the distinct values, sorted, joined by `delimiter` (nulls skipped; a group with no value: null
    on DuckDB, '' on Spark) -#}
{% macro distinct_sorted_string_agg(expression, delimiter) -%}
{{ return(adapter.dispatch('distinct_sorted_string_agg', 'sellthrough')(expression, delimiter)) }}
{%- endmacro %}
{% macro default__distinct_sorted_string_agg(expression, delimiter) -%}
string_agg(distinct {{ expression }}, {{ delimiter }} order by {{ expression }})
{%- endmacro %}
{% macro spark__distinct_sorted_string_agg(expression, delimiter) -%}
array_join(array_sort(collect_set({{ expression }})), {{ delimiter }})
{%- endmacro %}

{#- a timestamp as seconds since 1970-01-01 (a double, with its fraction) -#}
{% macro epoch_seconds(timestamp) -%}
{{ return(adapter.dispatch('epoch_seconds', 'sellthrough')(timestamp)) }}
{%- endmacro %}
{% macro default__epoch_seconds(timestamp) -%}
epoch({{ timestamp }})
{%- endmacro %}
{% macro spark__epoch_seconds(timestamp) -%}
(unix_micros({{ timestamp }}) / 1000000.0)
{%- endmacro %}

{#- the English name of a date's weekday (Monday ... Sunday) -#}
{% macro day_name(date) -%}
{{ return(adapter.dispatch('day_name', 'sellthrough')(date)) }}
{%- endmacro %}
{% macro default__day_name(date) -%}
dayname({{ date }})
{%- endmacro %}
{% macro spark__day_name(date) -%}
date_format({{ date }}, 'EEEE')
{%- endmacro %}
