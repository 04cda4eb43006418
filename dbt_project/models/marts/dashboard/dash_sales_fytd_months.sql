-- Net secondary sales per distributor x beat x master outlet x SKU over the fiscal year's complete months before
-- the as-of month (this year, and last year's months before the same month): the part of dash_sales_periods'
-- fiscal year to date that does not move from one night to the next (dash_sales_periods adds the month to date).
-- Rebuilt whole only when it is stale (macros/incremental/fytd_months.sql): the as-of month changed, or
-- dash_sales_monthly rebuilt a month before the as-of month (a late or re-sent file for it, new masters); any
-- other night it keeps its rows and costs a look at two watermarks. Keys and sums only: the names come from the
-- dimensions when dash_sales_periods is read.
-- On Spark too: the stale rows go by `truncate table` (parquet has no delete; macros/incremental/fytd_months.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ fytd_months_prepare() }}",
) }}

with periods as (
    select * from {{ ref('dash_periods') }}
),

bounds as (
    select
        any_value(start_date) filter (where period = 'mtd') as month_from,
        any_value(last_year_start) filter (where period = 'mtd') as last_year_month_from,
        any_value(start_date) filter (where period = 'fytd') as fytd_from,
        any_value(last_year_start) filter (where period = 'fytd') as fytd_last_year_from
    from periods
),

monthly as (
    select * from {{ ref('dash_sales_monthly') }}
    where month_start >= (select least(fytd_last_year_from, fytd_from) from bounds)
      and month_start < (select month_from from bounds)
),

sums as (
    select
        monthly.distributor_code,
        monthly.beat_code,
        monthly.master_outlet_id,
        monthly.sku_code,
        sum(monthly.net_amount) filter (where monthly.month_start >= bounds.fytd_from) as fytd_months_amount,
        sum(monthly.net_units) filter (where monthly.month_start >= bounds.fytd_from) as fytd_months_units,
        sum(monthly.net_amount) filter (
            where monthly.month_start >= bounds.fytd_last_year_from and monthly.month_start < bounds.last_year_month_from
        ) as fytd_last_year_months_amount,
        sum(monthly.net_units) filter (
            where monthly.month_start >= bounds.fytd_last_year_from and monthly.month_start < bounds.last_year_month_from
        ) as fytd_last_year_months_units
    from monthly
    cross join bounds
    where {{ fytd_months_stale() }}
    group by all
)

select
    sums.*,
    bounds.month_from as _as_of_month,
    (select max(_built_through) from {{ ref('dash_sales_monthly') }} where month_start < bounds.month_from)
        as _months_built_through
from sums
cross join bounds
where sums.fytd_months_amount is not null or sums.fytd_last_year_months_amount is not null
