-- Best and worst SKUs by region: one row per region x SKU sold there in the last var(ranking_window_days) days up
-- to the as-of date, against the same number of days before.
--   net_sales_amount, net_units: the window's; previous_net_sales_amount: the window before
--   growth_pct = 100 * (net_sales_amount - previous) / previous (null when nothing sold before)
--   buying_outlets: master outlets that bought it in the window
--   value_rank: 1 = the region's best seller by value; value_rank_from_bottom: 1 = its worst
--   is_best / is_worst: among the region's top / bottom var(ranking_top_n) by value
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

-- the sums from the daily aggregate (incremental: a few hundred thousand rows a year), each distributor's region
-- being the fact's (both dim_distributor's); only the buying outlets need the lines, of the window alone
daily as (
    select
        distributors.region,
        daily.sku_code,
        daily.invoice_date > as_of.as_of_date - {{ var('ranking_window_days') }} as in_window,
        daily.net_amount,
        daily.net_units,
        daily.lines
    from {{ ref('int_secondary_sales__daily') }} as daily
    inner join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = daily.distributor_code
    cross join as_of
    where daily.invoice_date > as_of.as_of_date - 2 * {{ var('ranking_window_days') }}
      and daily.invoice_date <= as_of.as_of_date
      and daily.invoice_date > {{ as_of_date_literal() }} - 2 * {{ var('ranking_window_days') }}  -- reaches the scan
      and distributors.region is not null
),

sums as (
    select
        region,
        sku_code,
        sum(net_amount) filter (where in_window) as net_sales_amount,
        sum(net_units) filter (where in_window) as net_units,
        sum(net_amount) filter (where not in_window) as previous_net_sales_amount
    from daily
    group by all
    having sum(lines) filter (where in_window) > 0
),

buyers as (
    select
        sales.region,
        sales.sku_code,
        count(distinct coalesce(sales.master_outlet_id, sales.outlet_code)) as buying_outlets
    from {{ ref('fct_secondary_sales') }} as sales
    cross join as_of
    where sales.invoice_date > as_of.as_of_date - {{ var('ranking_window_days') }}
      and sales.invoice_date <= as_of.as_of_date
      and sales.invoice_date > {{ as_of_date_literal() }} - {{ var('ranking_window_days') }}  -- reaches the scan
      and sales.region is not null
      and sales.signed_quantity_units > 0
    group by all
),

totals as (
    select
        sums.region,
        sums.sku_code,
        sums.net_sales_amount,
        sums.net_units,
        sums.previous_net_sales_amount,
        coalesce(buyers.buying_outlets, 0) as buying_outlets
    from sums
    left join buyers on buyers.region = sums.region and buyers.sku_code = sums.sku_code
),

ranked as (
    select
        *,
        row_number() over (partition by region order by net_sales_amount desc, sku_code) as value_rank,
        row_number() over (partition by region order by net_sales_amount asc, sku_code) as value_rank_from_bottom,
        count(*) over (partition by region) as skus_in_region
    from totals
)

select
    ranked.region,
    regions.zone,
    ranked.sku_code,
    skus.brand,
    skus.category,
    (select as_of_date from as_of) as as_of_date,
    round(ranked.net_sales_amount, 2) as net_sales_amount,
    ranked.net_units,
    round(ranked.previous_net_sales_amount, 2) as previous_net_sales_amount,
    round(
        100.0 * (ranked.net_sales_amount - ranked.previous_net_sales_amount)
        / nullif(ranked.previous_net_sales_amount, 0),
        1
    ) as growth_pct,
    ranked.buying_outlets,
    ranked.value_rank,
    ranked.value_rank_from_bottom,
    ranked.skus_in_region,
    ranked.value_rank <= {{ var('ranking_top_n') }} as is_best,
    ranked.value_rank_from_bottom <= {{ var('ranking_top_n') }}
    and ranked.value_rank > {{ var('ranking_top_n') }} as is_worst
from ranked
left join (select region, any_value(zone) as zone from {{ ref('dim_distributor') }} group by all) as regions
    on regions.region = ranked.region
left join {{ ref('dim_sku') }} as skus on skus.sku_code = ranked.sku_code
