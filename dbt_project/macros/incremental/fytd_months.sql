{#-
dash_sales_fytd_months: the fiscal year's complete months, rebuilt only when stale.

Stale (decided when the model compiles, by a query, and written into its SQL as a literal, so a night that keeps
the rows reads no month): the first build or a full refresh; the as-of month differs from the one the rows were
built for (a new month: the month that ended joins the complete months); or dash_sales_monthly holds a month before
the as-of month built after the rows were (a late or re-sent file for an earlier month, new masters, a changed
dimension: each rebuilds those months of dash_sales_monthly with a newer _built_through). The pre-hook then
deletes every row and the select inserts them again; otherwise the hook does nothing and the select inserts none.
-#}

{% macro fytd_months_stale() -%}
{%- if not is_incremental() -%}{{ return('true') }}{%- endif -%}
{%- if not execute -%}{{ return('false') }}{%- endif -%}
{%- set query -%}
with as_of_month as (
    select start_date as month_from from {{ ref('dash_periods') }} where period = 'mtd'
),

kept as (
    select max(_as_of_month) as month_from, max(_months_built_through) as months_built_through from {{ this }}
)

select
    kept.month_from is null
    or kept.month_from is distinct from as_of_month.month_from
    or coalesce((
        select max(monthly._built_through) from {{ ref('dash_sales_monthly') }} as monthly
        where monthly.month_start < as_of_month.month_from
    ), timestamp '1900-01-01') > coalesce(kept.months_built_through, timestamp '1900-01-01')
from kept, as_of_month
{%- endset -%}
{%- set values = run_query(query).columns[0].values() -%}
{{ return('true' if not values or values[0] else 'false') }}
{%- endmacro %}

{% macro fytd_months_prepare() -%}
{%- if is_incremental() and fytd_months_stale() == 'true' -%}
{#- Spark: a parquet table has no delete; truncate empties it (the select then appends every row) -#}
{{ 'truncate table' if target.type == 'spark' else 'delete from' }} {{ this }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#-
dash_sales_fytd: the fytd rows of dash_sales_periods, replaced by key.

A row's fiscal year to date is its complete months (dash_sales_fytd_months) + its month to date (dash_sales_windows'
mtd row). On a night the months did not move, only the keys with a month to date tonight, or with one when their
row was built (_mtd_touched), can change: the model's select builds those keys' rows as a new _version (a key with
nothing left gets an _empty row) and the post-hook removes the older rows of those keys and the empty ones. When
the months were rebuilt, the names in the dimensions changed, or on the first build, every key is built again and
the post-hook removes every older row (_full_build). The version and the mode are decided when the model compiles.
-#}

{% macro fytd_rows_plan() -%}
{%- if not is_incremental() -%}{{ return({'full': true, 'version': 1}) }}{%- endif -%}
{%- if not execute -%}{{ return({'full': false, 'version': 0}) }}{%- endif -%}
{%- set query -%}
with kept as (
    select
        max(_version) as version,
        arg_max(_as_of_month, _version) as as_of_month,
        arg_max(_months_built_through, _version) as months_built_through,
        arg_max(_names_fingerprint, _version) as names_fingerprint
    from {{ this }}
),

months as (
    select max(_as_of_month) as as_of_month, max(_months_built_through) as months_built_through
    from {{ ref('dash_sales_fytd_months') }}
)

select
    coalesce(kept.version, 0) + 1 as version,
    kept.version is null
    or months.as_of_month is null
    or kept.as_of_month is distinct from months.as_of_month
    or kept.months_built_through is distinct from months.months_built_through
    or kept.names_fingerprint is distinct from {{ fytd_names_fingerprint() }} as full_build
from kept, months
{%- endset -%}
{%- set row = run_query(query).rows[0] -%}
{{ return({'full': row[1] | as_bool, 'version': row[0] | int}) }}
{%- endmacro %}

{#- The names a fytd row copies from the dimensions: when any changes, every row is built again. -#}
{% macro fytd_names_fingerprint() -%}
(select md5(concat_ws('#',
    (select {{ ordered_string_agg("concat_ws('|', distributor_code, distributor_name, zone, region, state)", "','", 'distributor_code') }} from {{ ref('dim_distributor') }}),
    (select {{ ordered_string_agg("concat_ws('|', beat_code, beat_name, rep_code, rep_name)", "','", 'beat_code') }} from {{ ref('dim_geography') }}),
    (select {{ ordered_string_agg("concat_ws('|', outlet_code, outlet_name, channel, outlet_class)", "','", 'outlet_code') }} from {{ ref('dim_outlet') }}),
    (select {{ ordered_string_agg("concat_ws('|', sku_code, sku_name, brand, category)", "','", 'sku_code') }} from {{ ref('dim_sku') }})
)))
{%- endmacro %}

{#- post-hook of dash_sales_fytd: drop what the newest version replaced. -#}
{% macro fytd_rows_replace_older() -%}
{%- if not is_incremental() -%}select 1{%- else -%}
delete from {{ this }} as older
where older._version < (select max(_version) from {{ this }})
  and (
    (select bool_or(_full_build) from {{ this }} where _version = (select max(_version) from {{ this }}))
    or older._mtd_touched
    or exists (
        select 1 from {{ this }} as newer
        where newer._version = (select max(_version) from {{ this }})
          and {{ same_sales_key('newer', 'older') }}
    )
  );
delete from {{ this }} where _empty
{%- endif -%}
{%- endmacro %}
