-- The fytd rows of dash_sales_periods: net secondary sales from April 1st to the as-of date per distributor x beat
-- x master outlet x SKU (the fiscal year's complete months from dash_sales_fytd_months + the month to date from
-- dash_sales_windows), and the same days last year, with the drill-down names. Replaced by key
-- (macros/incremental/fytd_months.sql): a night rebuilds only the keys that have a month to date, or had one
-- when their row was built; every key when the months moved (a new month, an earlier month changed) or a name
-- changed. The bookkeeping columns start with '_' (dash_sales_periods leaves them out).
{% set plan = fytd_rows_plan() %}
-- On Spark a table, rebuilt whole each run: a night replaces rows by key (a touched key's older version), which
-- no partition holds whole, and a parquet table has no delete (docs/scale-out.md, section 6).
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    post_hook="{{ fytd_rows_replace_older() }}",
) }}

with month_to_date as (
    select * from {{ ref('dash_sales_windows') }} where period = 'mtd'
),

{% if plan['full'] %}
months as (
    select * from {{ ref('dash_sales_fytd_months') }}
),
{% else %}
-- the keys whose row can change tonight, and their complete months
affected as (
    select distributor_code, beat_code, master_outlet_id, sku_code from month_to_date
    union
    select distributor_code, beat_code, master_outlet_id, sku_code from {{ this }} where _mtd_touched
),

months as (
    select months.*
    from {{ ref('dash_sales_fytd_months') }} as months
    semi join affected
        on {{ same_sales_key('months', 'affected') }}
),
{% endif %}

keyed as (
    select
        coalesce(months.distributor_code, mtd.distributor_code) as distributor_code,
        coalesce(months.beat_code, mtd.beat_code) as beat_code,
        coalesce(months.master_outlet_id, mtd.master_outlet_id) as master_outlet_id,
        coalesce(months.sku_code, mtd.sku_code) as sku_code,
        months.fytd_months_amount,
        months.fytd_months_units,
        months.fytd_last_year_months_amount,
        months.fytd_last_year_months_units,
        mtd.net_amount as mtd_amount,
        mtd.net_units as mtd_units,
        mtd.last_year_net_amount as mtd_last_year_amount,
        mtd.last_year_net_units as mtd_last_year_units,
        coalesce(mtd._in_mtd, false) as in_mtd,
        coalesce(mtd._in_mtd_last_year, false) as in_mtd_last_year
    from months
    full outer join month_to_date as mtd
        on {{ same_sales_key('months', 'mtd') }}
),

rows_built as (
    {% if plan['full'] %}
    select keyed.*, false as _empty from keyed
    {% else %}
    select
        affected.distributor_code,
        affected.beat_code,
        affected.master_outlet_id,
        affected.sku_code,
        keyed.* exclude (distributor_code, beat_code, master_outlet_id, sku_code),
        keyed.distributor_code is null and keyed.sku_code is null as _empty
    from affected
    left join keyed
        on {{ same_sales_key('keyed', 'affected') }}
    {% endif %}
),

summed as (
    select
        distributor_code,
        beat_code,
        master_outlet_id,
        sku_code,
        coalesce(fytd_months_amount, 0) + coalesce(mtd_amount, 0) as net_amount,
        (coalesce(fytd_months_units, 0) + coalesce(mtd_units, 0))::bigint as net_units,
        coalesce(fytd_last_year_months_amount, 0) + coalesce(mtd_last_year_amount, 0) as last_year_net_amount,
        (coalesce(fytd_last_year_months_units, 0) + coalesce(mtd_last_year_units, 0))::bigint as last_year_net_units,
        coalesce(in_mtd or in_mtd_last_year, false) as _mtd_touched,
        _empty
            or not (fytd_months_amount is not null or fytd_last_year_months_amount is not null or in_mtd or in_mtd_last_year)
            as _empty
    from rows_built
)

select
    {{ drill_down_names('summed') }},
    summed.net_amount,
    summed.net_units,
    summed.last_year_net_amount,
    summed.last_year_net_units,
    summed._mtd_touched,
    summed._empty,
    {{ plan['version'] }} as _version,
    {{ 'true' if plan['full'] else 'false' }} as _full_build,
    (select max(_as_of_month) from {{ ref('dash_sales_fytd_months') }}) as _as_of_month,
    (select max(_months_built_through) from {{ ref('dash_sales_fytd_months') }}) as _months_built_through,
    {{ fytd_names_fingerprint() }} as _names_fingerprint
from summed
{{ drill_down_joins('summed') }}
{%- if plan['full'] %}
where not summed._empty
{%- endif %}
