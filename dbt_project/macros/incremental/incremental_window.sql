{#-
Incremental models by business date, with a lookback that late files decide.

Each incremental model stores `_built_through`: the newest loaded_at of the ledger when the row was built. A
nightly run rebuilds every business date from `window_from` on, where window_from is the earliest period_start
of the loads (of the model's source kinds) committed since the model's newest `_built_through`. A late or re-sent
file for an old period therefore pulls the window back to that period; a normal night touches only its new
days. A new masters snapshot, or a changed dimension fingerprint, rebuilds everything (window_from = 1900-01-01).

window_from is computed when the model is compiled (dbt compiles each node just before running it) and written
into its SQL as a date literal, so a date filter reaches the scans and DuckDB's zone maps skip the history; the
pre-hook deletes the target's rows from window_from on and the model's select inserts them again from the
current rows. A full refresh (or the first build) skips all this. Keys are dates, not composite unique keys
(dbt-core #11799). A model declares its window in its config:

    {{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail',
              meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'],
                                           'date_column': 'invoice_date', 'fingerprint': 'secondary_sales_dims'}},
              pre_hook="{{ incremental_window_prepare() }}") }}

A model whose rows look at other rows than their own dates' (kpi_distributor_sales_trend: a week against the
weeks before and the week after) declares how far back the window must reach besides, in `lookback`:
- `previous_row_by: 'distributor_code'`: a row reads its distributor's next row (lead), so for every distributor
  with a changed load the window also takes its last row before the window, however many weeks back (weeks
  without sales have no row). The model's rows must be keyed by the loads' distributor (the inbox folder).
  Rows before the window stay as built; the model reads the ones its window functions need from {{ this }}.
- `as_of_days: N`: a row's values depend on the as-of date (int_calendar__as_of) while its date is less than N
  days before it. The model stores the as-of date it used as `_as_of_date`; the window also takes the rows built
  under another as-of date whose date is less than N days before the earlier of the two (older rows read both
  alike).
-#}

{#- The model's window spec, from its config: meta={'incremental_window': {'source_kinds': [...],
    'date_column': '...', 'align': 'day' | 'week' | 'month', 'fingerprint': none | 'secondary_sales_dims' |
    'distributor_sku_dims' | 'distributor_dims' | 'dated_sales_dims', 'lookback': none |
    {'previous_row_by': '<distributor column>', 'as_of_days': N}}}. -#}
{% macro _window_spec() -%}
{%- set spec = config.get('meta', {}).get('incremental_window') -%}
{%- if spec is none -%}
{{ exceptions.raise_compiler_error("an incremental-window model needs meta.incremental_window in its config") }}
{%- endif -%}
{{ return(spec) }}
{%- endmacro %}

{% macro _window_fingerprint(name) -%}
{%- if name == 'secondary_sales_dims' -%}{{ secondary_sales_dims_fingerprint() }}
{%- elif name == 'distributor_sku_dims' -%}{{ distributor_sku_dims_fingerprint() }}
{%- elif name == 'distributor_dims' -%}{{ distributor_dims_fingerprint() }}
{%- elif name == 'dated_sales_dims' -%}{{ dated_sales_dims_fingerprint() }}
{%- else -%}{{ exceptions.raise_compiler_error("unknown incremental_window fingerprint: " ~ name) }}
{%- endif -%}
{%- endmacro %}

{#- in the model's select list, as `_dims_fingerprint`: the fingerprint its window spec names (named again here,
    so dbt sees the dimensions' refs when it parses; a mismatch with the spec fails the build). -#}
{% macro window_dims_fingerprint(name) -%}
{#- a unit test compiles the model under its own config, without the spec: nothing to compare there -#}
{%- set spec = config.get('meta', {}).get('incremental_window') if execute else none -%}
{%- if spec and spec.get('fingerprint') != name -%}
{{ exceptions.raise_compiler_error("_dims_fingerprint is '" ~ name ~ "' but meta.incremental_window says '" ~ spec.get('fingerprint') ~ "'") }}
{%- endif -%}
{{ _window_fingerprint(name) }}
{%- endmacro %}

{% macro built_through() -%}
(select max(loaded_at) from {{ ref('stg_ingest__loads') }} where status = 'loaded')
{%- endmacro %}

{#- The window's first day, computed now (a query at compile time) and returned as a SQL date literal, so the
    filters that use it reach the scans (zone maps skip the history). 1900-01-01 on a full build (or the
    first), 9999-12-31 when nothing changed. -#}
{% macro incremental_window_from() -%}
{%- if not is_incremental() -%}{{ return("date '1900-01-01'") }}{%- endif -%}
{%- if not execute -%}{{ return("date '9999-12-31'") }}{%- endif -%}
{%- set spec = _window_spec() -%}
{%- set kinds = ['masters'] + spec['source_kinds'] -%}
{%- set align = spec.get('align', 'day') -%}
{%- set lookback = spec.get('lookback') or {} -%}
{%- set query -%}
with watermark as (
    select coalesce(max(_built_through), timestamp '1900-01-01') as built_through
    {%- if spec.get('fingerprint') %}, {{ arg_max('_dims_fingerprint', '_built_through') }} as dims_fingerprint{% endif %}
    from {{ this }}
),

changed as (
    select loads.source_kind, loads.distributor_code, loads.period_start
    from {{ ref('stg_ingest__loads') }} as loads, watermark
    where loads.status = 'loaded'
      and loads.loaded_at > watermark.built_through
      and loads.source_kind in ({% for kind in kinds %}'{{ kind }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

changed_from as (
    select
        case
            when bool_or(changed.source_kind = 'masters')
            {%- if spec.get('fingerprint') %}
                or (select dims_fingerprint from watermark) is distinct from ({{ _window_fingerprint(spec['fingerprint']) }})
            {%- endif %}
                then date '1900-01-01'
            else date_trunc('{{ align }}', min(changed.period_start))::date
        end as window_from
    from changed
)
{%- if lookback.get('previous_row_by') %},

-- each changed distributor's last row before the window: the row it reads as its next one may change
previous_rows as (
    select max(target.{{ spec['date_column'] }}) as row_date
    from {{ this }} as target, changed_from
    where target.{{ lookback['previous_row_by'] }} in (select distributor_code from changed)
      and target.{{ spec['date_column'] }} < changed_from.window_from
    group by target.{{ lookback['previous_row_by'] }}
)
{%- endif %}
{%- if lookback.get('as_of_days') %},

-- rows built under another as-of date, less than as_of_days days before the earlier of it and the current one:
-- they may read the current one otherwise (rows further back keep the as-of date they were built with)
as_of_moved as (
    select date_trunc('{{ align }}', min(target.{{ spec['date_column'] }}))::date as window_from
    from {{ this }} as target, {{ ref('int_calendar__as_of') }} as as_of
    where target._as_of_date is distinct from as_of.as_of_date
      and target.{{ spec['date_column'] }} > least(target._as_of_date, as_of.as_of_date) - {{ lookback['as_of_days'] | int }}
)
{%- endif %}

{#- the earliest of the window's starts (Spark's least takes two or more) -#}
{%- set starts = ['(select window_from from changed_from)'] -%}
{%- if lookback.get('previous_row_by') %}{% do starts.append('(select min(row_date) from previous_rows)') %}{% endif -%}
{%- if lookback.get('as_of_days') %}{% do starts.append('(select window_from from as_of_moved)') %}{% endif %}

select {{ iso_date_text('computed.window_from') }}
from (select coalesce(
    {% if starts | length > 1 %}least({{ starts | join(', ') }}){% else %}{{ starts[0] }}{% endif %},
    date '9999-12-31'
) as window_from) as computed
{%- endset -%}
{{ return(_queried_date_literal(query, 'incremental window')) }}
{%- endmacro %}

{#- Runs `query` (one row, one 'YYYY-MM-DD' string) when the model compiles and returns it as a SQL date literal;
    anything else is a compile error naming `what`. -#}
{% macro _queried_date_literal(query, what) -%}
{%- set value = run_query(query).columns[0].values()[0] -%}
{%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value or '') -%}
{{ exceptions.raise_compiler_error(what ~ ": not a date: " ~ value) }}
{%- endif -%}
{{ return("date '" ~ value ~ "'") }}
{%- endmacro %}

{#- pre-hook: delete what the window rebuilds (the model's select inserts it again). A full refresh, or the first
    build, skips it. The window is computed again here: nothing between the model's compilation and its hook
    changes it. -#}
{% macro incremental_window_prepare() -%}
{%- if is_incremental() -%}
{{ adapter.dispatch('clear_window', 'sellthrough')(this, _window_spec()['date_column'], incremental_window_from()) }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- The engine switch of the window models (their config: `incremental_strategy=window_strategy()`,
    `partition_by=window_partition_by('<the window's date column>')`). DuckDB: `append`, after the pre-hook's
    delete, into an unpartitioned table. Spark (parquet: no delete, no merge without Delta): a table partitioned by
    the window's date column, whose window the pre-hook drops partition by partition, and `insert_overwrite`
    (dynamic: the partitions the select returns). The window starts on a value of the date column (its `align`),
    so the rows from it on are whole partitions. -#}
{% macro window_strategy() -%}
{{ return('insert_overwrite' if target.type == 'spark' else 'append') }}
{%- endmacro %}

{% macro window_partition_by(date_column) -%}
{{ return([date_column] if target.type == 'spark' else none) }}
{%- endmacro %}

{% macro default__clear_window(relation, date_column, window_from) -%}
delete from {{ relation }} where {{ date_column }} >= {{ window_from }}
{%- endmacro %}

{#- Spark: drop the partitions from window_from on (Spark has no range in a partition spec: each is named). A date
    whose rows all went (a superseded file) is emptied too, which insert_overwrite alone would not do (it replaces
    only the partitions its select returns). -#}
{% macro spark__clear_window(relation, date_column, window_from) -%}
{%- if config.get('partition_by') != [date_column] -%}
{{ exceptions.raise_compiler_error("on Spark a window model is partitioned by its date column '" ~ date_column ~ "': partition_by=window_partition_by('" ~ date_column ~ "')") }}
{%- endif -%}
{%- set query -%}
select distinct {{ iso_date_text(date_column) }} from {{ relation }} where {{ date_column }} >= {{ window_from }}
{%- endset -%}
{%- set dates = run_query(query).columns[0].values() | sort -%}
{%- if dates -%}
alter table {{ relation }} drop if exists
{%- for value in dates %} partition ({{ date_column }} = '{{ value }}'){% if not loop.last %},{% endif %}{% endfor %}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- in the model's where clause: only the dates the window covers (everything on a full build). -#}
{% macro in_incremental_window(date_expression) -%}
{%- if is_incremental() -%}
{{ date_expression }} >= {{ incremental_window_from() }}
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#- What fct_secondary_sales copies from its dimensions: when it changes, the fact is rebuilt whole. -#}
{% macro secondary_sales_dims_fingerprint() -%}
(select md5({{ ordered_string_agg("concat_ws('|', outlet_code, master_outlet_id, beat_code, distributor_code)", "','", 'outlet_code') }})
 from {{ ref('dim_outlet') }})
|| {{ _sku_dims_fingerprint() }}
|| {{ distributor_dims_fingerprint() }}
{%- endmacro %}

{#- What the distributor x SKU facts (stock ledger, reconciliation, fct_primary_sales) copy from their
    dimensions: the distributor's zone, region and state and the SKU's brand and category. When it changes, the
    fact is rebuilt whole. -#}
{% macro distributor_sku_dims_fingerprint() -%}
{{ distributor_dims_fingerprint() }}
|| {{ _sku_dims_fingerprint() }}
{%- endmacro %}

{#- What the per-distributor marts (kpi_distributor_sales_trend) copy: the distributor's zone, region and state.
    When it changes, the mart is rebuilt whole. -#}
{% macro distributor_dims_fingerprint() -%}
(select md5({{ ordered_string_agg("concat_ws('|', distributor_code, zone, region, state)", "','", 'distributor_code') }})
 from {{ ref('dim_distributor') }})
{%- endmacro %}

{% macro _sku_dims_fingerprint() -%}
(select md5({{ ordered_string_agg("concat_ws('|', sku_code, brand, category)", "','", 'sku_code') }}) from {{ ref('dim_sku') }})
{%- endmacro %}

{#- What the marts that place a sale by its date copy: secondary_sales_dims_fingerprint's dimensions and the
    outlets' placements in business time (int_outlets__versions: beat, distributor, channel and class; a new
    version rebuilds them whole). -#}
{% macro dated_sales_dims_fingerprint() -%}
{{ secondary_sales_dims_fingerprint() }}
|| (select md5({{ ordered_string_agg(
        "concat_ws('|', outlet_code, effective_from, beat_code, distributor_code, channel, outlet_class)", "','",
        'outlet_code, effective_from'
    ) }})
    from {{ ref('int_outlets__versions') }})
{%- endmacro %}

{#- The KPI marts' as-of date (int_calendar__as_of), read when the model is compiled and returned as a SQL date
    literal, so "the last N days" filters reach the fact's scan and zone maps skip the older history. -#}
{% macro as_of_date_literal() -%}
{%- set relation = ref('int_calendar__as_of') -%}
{%- if not execute -%}{{ return("current_date") }}{%- endif -%}
{{ return(_queried_date_literal("select " ~ iso_date_text('as_of_date') ~ " from " ~ relation, 'as-of date')) }}
{%- endmacro %}
