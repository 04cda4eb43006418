-- Overstock and stock-out risk per distributor as of the last business day, over all its SKUs:
--   days_of_cover = total closing units / total average daily sales units (last var(cover_window_days) days)
--   is_overstocked: days_of_cover > var(overstock_cover_days) (a distributor about to stop ordering)
select
    distributor_code,
    any_value(zone) as zone,
    any_value(region) as region,
    any_value(state) as state,
    max(as_of_date) as as_of_date,
    sum(closing_units) as closing_units,
    round(sum(avg_daily_sales_units), 3) as avg_daily_sales_units,
    round(sum(closing_units) / nullif(sum(avg_daily_sales_units), 0), 1) as days_of_cover,
    count(*) filter (where is_overstocked) as overstocked_skus,
    count(*) filter (where is_stockout_risk) as stockout_risk_skus,
    count(*) as skus,
    coalesce(sum(closing_units) / nullif(sum(avg_daily_sales_units), 0) > {{ var('overstock_cover_days') }}, false)
        as is_overstocked
from {{ ref('kpi_distributor_stock_health') }}
group by distributor_code
