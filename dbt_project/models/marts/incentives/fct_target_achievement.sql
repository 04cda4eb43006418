-- Every current sales target (stg_masters__targets) beside what the invoices reached:
--   actual          = the month's secondary sales (fct_secondary_sales, sales minus returns) in the target's measure,
--                     value: net rupees after discounts; units: billed pieces (free pieces excluded),
--                     of the target's level: a rep's = the lines of the outlets on the rep's beats (the beat in force
--                     on the invoice date, its rep in the beats master); a beat's = its lines; a distributor's = all
--                     its lines; and of its product scope: all products, the brand's SKUs, or the SKU group's SKUs
--   achievement_pct = 100 x actual / target
--   gap             = target - actual
-- Orders never count: only invoices are sales.
-- Incremental by the target's month (macros/incremental/incremental_window.sql, align month): a night rebuilds the
-- targets of the months its sales files touch; a masters load (targets, beats, SKU groups) or a changed dimension
-- rebuilds every month. On Spark partitioned by month_start.
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('month_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with targets as (
    select * from {{ ref('stg_masters__targets') }}
    where {{ in_incremental_window('month_start') }}
),

group_skus as (
    select sku_group, {{ sorted_list('sku_code') }} as sku_codes
    from {{ ref('stg_masters__sku_groups') }}
    group by sku_group
),

-- the distributor x months that have a target: only their lines can reach one, and with no targets at all the
-- join below reads none of the fact (a bound from a subquery over no rows would not stop the scan)
target_months as (
    select distinct distributor_code, month_start from targets
),

-- the lines summed to the finest grain a target asks for, months with targets only
sales as (
    select
        date_trunc('month', lines.invoice_date)::date as month_start,
        lines.distributor_code,
        lines.beat_code,
        beats.rep_code,
        lines.brand,
        lines.sku_code,
        sum(lines.signed_net_amount) as net_amount,
        sum(lines.signed_quantity_units) as net_units
    from {{ ref('fct_secondary_sales') }} as lines
    inner join target_months
        on target_months.distributor_code = lines.distributor_code
        and target_months.month_start = date_trunc('month', lines.invoice_date)::date
    left join {{ ref('stg_masters__beats') }} as beats on beats.beat_code = lines.beat_code
    where {{ in_incremental_window('lines.invoice_date') }}
      and lines.invoice_date >= (select min(month_start) from targets)
      and lines.invoice_date < (select max(month_start) from targets) + interval 1 month
    group by all
),

reached as (
    select
        targets.target_key,
        sum(case when targets.measure = 'value' then sales.net_amount else sales.net_units end) as actual
    from targets
    left join group_skus on group_skus.sku_group = targets.sku_group
    inner join sales
        on sales.month_start = targets.month_start
        and sales.distributor_code = targets.distributor_code
        and (targets.rep_code is null or sales.rep_code = targets.rep_code)
        and (targets.beat_code is null or sales.beat_code = targets.beat_code)
        and (targets.brand is null or sales.brand = targets.brand)
        and (targets.sku_group is null or {{ list_has('group_skus.sku_codes', 'sales.sku_code') }})
    group by targets.target_key
)

select
    targets.target_key,
    targets.month_start,
    targets.target_level,
    targets.distributor_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    targets.beat_code,
    targets.rep_code,
    targets.product_scope,
    targets.brand,
    targets.sku_group,
    targets.measure,
    targets.target,
    coalesce(reached.actual, 0) as actual,
    round(100.0 * coalesce(reached.actual, 0) / targets.target, 2) as achievement_pct,
    targets.target - coalesce(reached.actual, 0) as gap,
    targets.load_id as _load_id,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from targets
left join reached using (target_key)
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = targets.distributor_code
