-- Stock health per distributor x SKU as of the last business day:
--   avg_daily_sales_units = sales_units over the last var(cover_window_days) days / that many days
--   days_of_cover = closing_units / avg_daily_sales_units
--   stock_turnover = sales_units over the window / average closing_units over the window
--   is_overstocked: days_of_cover > var(overstock_cover_days)
--   is_stockout_risk: closing_units <= 0 while it sells, or days_of_cover < var(stockout_risk_cover_days)
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

window_days as (
    select daily.*
    from {{ ref('fct_distributor_stock_daily') }} as daily, as_of
    where daily.stock_date > as_of.as_of_date - {{ var('cover_window_days') }}
      and daily.stock_date <= as_of.as_of_date
      and daily.stock_date > {{ as_of_date_literal() }} - {{ var('cover_window_days') }}  -- as a literal: reaches the scan
),

per_sku as (
    select
        distributor_code,
        sku_code,
        max(stock_date) as as_of_date,
        {{ arg_max('closing_units', 'stock_date') }} as closing_units,
        sum(sales_units) as window_sales_units,
        avg(closing_units) as avg_closing_units,
        sum(is_stocked_out::integer) as stocked_out_days
    from window_days
    group by distributor_code, sku_code
)

select
    per_sku.distributor_code,
    per_sku.sku_code,
    per_sku.as_of_date,
    distributors.zone,
    distributors.region,
    distributors.state,
    skus.brand,
    skus.category,
    per_sku.closing_units,
    per_sku.window_sales_units,
    round(per_sku.window_sales_units / {{ var('cover_window_days') }}, 3) as avg_daily_sales_units,
    round(per_sku.closing_units / nullif(per_sku.window_sales_units / {{ var('cover_window_days') }}, 0), 1)
        as days_of_cover,
    round(per_sku.window_sales_units / nullif(per_sku.avg_closing_units, 0), 3) as stock_turnover,
    per_sku.stocked_out_days,
    coalesce(
        per_sku.closing_units / nullif(per_sku.window_sales_units / {{ var('cover_window_days') }}, 0)
        > {{ var('overstock_cover_days') }},
        per_sku.closing_units > 0 and per_sku.window_sales_units = 0
    ) as is_overstocked,
    per_sku.window_sales_units > 0 and (
        per_sku.closing_units <= 0
        or per_sku.closing_units / (per_sku.window_sales_units / {{ var('cover_window_days') }})
        < {{ var('stockout_risk_cover_days') }}
    ) as is_stockout_risk
from per_sku
left join {{ ref('dim_distributor') }} as distributors using (distributor_code)
left join {{ ref('dim_sku') }} as skus using (sku_code)
