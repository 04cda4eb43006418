-- Outlet-level cover: one row per outlet x SKU x day counted (the latest file of the day; a chain's store
-- inventory wins over a rep's shelf count of the same outlet, SKU and day), with what the outlet bought in the
-- var(cover_window_days) days up to the count (fct_secondary_sales, net of returns) and the days of cover that
-- stock gives at that rate:
--   avg_daily_units = units bought in the window / var(cover_window_days)
--   days_of_cover   = stock_units / avg_daily_units (null when it bought nothing in the window)
--   is_out_of_stock = stock_units = 0; is_low_cover = days_of_cover < var(stockout_risk_cover_days) or out of stock
with counts as (
    select *
    from {{ ref('int_retailer_stock__current') }}
    qualify row_number() over (
        partition by outlet_code, sku_code, count_date
        order by (count_source = 'store_inventory') desc, load_id desc, row_number desc
    ) = 1
),

bought as (
    select
        counts.outlet_code,
        counts.sku_code,
        counts.count_date,
        coalesce(sum(sales.signed_quantity_units), 0) as units_bought
    from counts
    left join {{ ref('fct_secondary_sales') }} as sales
        on sales.outlet_code = counts.outlet_code
        and sales.sku_code = counts.sku_code
        and sales.invoice_date between counts.count_date - {{ var('cover_window_days') - 1 }} and counts.count_date
    group by all
)

select
    counts.count_date,
    counts.outlet_code,
    outlets.master_outlet_id,
    counts.distributor_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    outlets.beat_code,
    outlets.channel,
    outlets.outlet_class,
    counts.sku_code,
    skus.brand,
    skus.category,
    counts.count_source,
    counts.sender_code,
    counts.rep_code,
    counts.stock_units,
    bought.units_bought as units_bought_in_window,
    round(bought.units_bought / {{ var('cover_window_days') }}, 3) as avg_daily_units,
    round(counts.stock_units / nullif(greatest(bought.units_bought, 0) / {{ var('cover_window_days') }}, 0), 1)
        as days_of_cover,
    counts.stock_units = 0 as is_out_of_stock,
    counts.stock_units = 0
    or counts.stock_units / nullif(greatest(bought.units_bought, 0) / {{ var('cover_window_days') }}, 0)
    < {{ var('stockout_risk_cover_days') }} as is_low_cover,
    counts.load_id
from counts
inner join bought using (outlet_code, sku_code, count_date)
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = counts.outlet_code
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = counts.distributor_code
left join {{ ref('dim_sku') }} as skus on skus.sku_code = counts.sku_code
