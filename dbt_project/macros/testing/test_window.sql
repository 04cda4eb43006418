{#-
Data tests on incremental models over the new window only (the night), on whole tables otherwise.

dbt narrows a generic test's `model` through get_where_subquery (its `where` config). This override adds, for an
incremental model, the rows built since the published version (sellthrough/test_windows.py writes the record
after each publish; the nightly dbt step passes it as SELLTHROUGH_TEST_WINDOW):

    incremental-window facts   _built_through >= <the stamp of the published file's ledger: its newest loaded load>
    landing tables             load_id in (loads of the ledger with loaded_at >= <the published ledger's newest>)
    the ledger itself          loaded_at >= <same>
    views with test_window.like the window of the model named (sellthrough/test_windows.py); with a date_column,
                               <date_column> >= the earliest date among that model's rows built since (that
                               model's like_date_column when the names differ; of several models', the earliest)

The loads are looked up when the test runs and written as a list of literals (each checked against the shape of a
load id): DuckDB pushes a literal list through a view's joins down to the landing tables' scans, where a subquery
would leave the view computed whole and filtered at the end. More than 1,000 loads (a catch-up after many
nights) keep the subquery.

Without the variable (the weekly full test run, `sellthrough run --full-tests`, dbt from the command line, CI)
every test reads its whole table, as before. A test's own `where` config still applies (both hold). The other side
of a relationships test (`to`) is never narrowed. The variable is read only when the test runs (`execute`), so
dbt's partial parsing does not depend on it. Timestamps are checked before they are written into the SQL.
-#}

{% macro duckdb__get_where_subquery(relation) -%}
{%- set clauses = [] -%}
{%- set where = config.get('where', '') -%}
{%- if where -%}{%- do clauses.append(where) -%}{%- endif -%}
{%- set window = test_window_clause(relation) -%}
{%- if window -%}{%- do clauses.append(window) -%}{%- endif -%}
{%- if clauses -%}
{%- set filtered -%}
(select * from {{ relation }} where ({{ clauses | join(') and (') }})) dbt_subquery
{%- endset -%}
{%- do return(filtered) -%}
{%- else -%}
{%- do return(relation) -%}
{%- endif -%}
{%- endmacro %}

{% macro _test_window_timestamp(value) -%}
{%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?', value or '') -%}
{{ exceptions.raise_compiler_error("SELLTHROUGH_TEST_WINDOW: not a timestamp: " ~ value) }}
{%- endif -%}
timestamp '{{ value }}'
{%- endmacro %}

{#- The window's filter for `relation` ('' when it is tested whole). -#}
{% macro test_window_clause(relation) -%}
{%- if not execute or not (relation.schema and relation.identifier) -%}{{ return('') }}{%- endif -%}
{%- set raw = env_var('SELLTHROUGH_TEST_WINDOW', '') -%}
{%- if not raw -%}{{ return('') }}{%- endif -%}
{%- set window = fromjson(raw) -%}
{%- set entry = window.get('relations', {}).get(relation.schema ~ '.' ~ relation.identifier) -%}
{%- if not entry -%}{{ return('') }}{%- endif -%}
{%- set after = _test_window_timestamp(entry.get('after')) -%}
{%- if entry.get('column') == '_built_through' -%}
{{ return('_built_through >= ' ~ after) }}
{%- elif entry.get('column') == 'loaded_at' -%}
{{ return('loaded_at >= ' ~ after) }}
{%- elif entry.get('column') == 'date' -%}
{{ return(_test_window_dates(relation, entry, after)) }}
{%- elif entry.get('column') == 'load_id' -%}
{%- set ledger = window.get('ledger', '').split('.') -%}
{%- if ledger | length != 2 -%}{{ exceptions.raise_compiler_error("SELLTHROUGH_TEST_WINDOW: no ledger relation") }}{%- endif -%}
{%- set ledger_relation = api.Relation.create(database=relation.database, schema=ledger[0], identifier=ledger[1]) -%}
{{ return(_test_window_loads(ledger_relation, after)) }}
{%- else -%}
{{ exceptions.raise_compiler_error("SELLTHROUGH_TEST_WINDOW: unknown column for " ~ relation) }}
{%- endif -%}
{%- endmacro %}

{#- The new loads as `load_id in (<literals>)` (or the subquery when there are many). -#}
{% macro _test_window_loads(ledger_relation, after) -%}
{%- set subquery = 'load_id in (select load_id from ' ~ ledger_relation ~ ' where loaded_at >= ' ~ after ~ ')' -%}
{%- set found = run_query('select load_id from ' ~ ledger_relation ~ ' where loaded_at >= ' ~ after ~ ' order by load_id limit 1001') -%}
{%- set ids = found.columns[0].values() | list -%}
{%- if ids | length > 1000 -%}{{ return(subquery) }}{%- endif -%}
{%- if not ids -%}{{ return('false') }}{%- endif -%}
{%- for id in ids -%}
{%- if not modules.re.fullmatch('[A-Za-z0-9_.:-]{1,80}', id or '') -%}{{ return(subquery) }}{%- endif -%}
{%- endfor -%}
{{ return("load_id in ('" ~ ids | join("', '") ~ "')") }}
{%- endmacro %}

{#- A view's rows dated on or after the earliest date among the rows its model (`of`) built since `after` (and,
    for a view over several models, the other models' in `and`, each since its own `after`), as a date literal,
    looked up when the test runs ('false' when none of them built anything since). -#}
{% macro _test_window_dates(relation, entry, after) -%}
{%- set column = entry.get('date_column', '') -%}
{%- if not modules.re.fullmatch('[a-z_][a-z0-9_]*', column) -%}
{{ exceptions.raise_compiler_error("SELLTHROUGH_TEST_WINDOW: a bad date window for " ~ relation) }}
{%- endif -%}
{%- set firsts = [] -%}
{%- for source in [entry] + (entry.get('and') or []) -%}
{%- set of_column = source.get('of_date_column') or column -%}
{%- set of = (source.get('of') or '').split('.') -%}
{%- if not modules.re.fullmatch('[a-z_][a-z0-9_]*', of_column) or of | length != 2 -%}
{{ exceptions.raise_compiler_error("SELLTHROUGH_TEST_WINDOW: a bad date window for " ~ relation) }}
{%- endif -%}
{%- set since = after if loop.first else _test_window_timestamp(source.get('after')) -%}
{%- set model = api.Relation.create(database=relation.database, schema=of[0], identifier=of[1]) -%}
{%- set found = run_query("select strftime(min(" ~ of_column ~ "), '%Y-%m-%d') from " ~ model ~ " where _built_through >= " ~ since) -%}
{%- set first = found.columns[0].values()[0] -%}
{%- if first and not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', first) -%}
{{ exceptions.raise_compiler_error("SELLTHROUGH_TEST_WINDOW: not a date: " ~ first) }}
{%- endif -%}
{%- if first -%}{%- do firsts.append(first) -%}{%- endif -%}
{%- endfor -%}
{%- if not firsts -%}{{ return('false') }}{%- endif -%}
{{ return(column ~ " >= date '" ~ (firsts | min) ~ "'") }}
{%- endmacro %}
