-- Perpetually understocked outlets: one row per outlet x SKU counted at least var(understocked_min_counts) times.
-- An outlet's sales of a SKU are capped by its stock when the shelf is found empty (or below
-- var(stockout_risk_cover_days) days of cover) at most counts: it sells what it has, and what it buys is not what
-- it could sell.
--   low_cover_share = counts with is_low_cover / counts
--   is_perpetually_understocked = counts >= var(understocked_min_counts)
--                                 and low_cover_share >= var(understocked_share)
select
    outlet_code,
    any_value(master_outlet_id) as master_outlet_id,
    any_value(distributor_code) as distributor_code,
    any_value(zone) as zone,
    any_value(region) as region,
    any_value(state) as state,
    any_value(beat_code) as beat_code,
    any_value(channel) as channel,
    sku_code,
    any_value(brand) as brand,
    any_value(category) as category,
    count(*) as counts,
    min(count_date) as first_count_date,
    max(count_date) as last_count_date,
    count(*) filter (where is_out_of_stock) as out_of_stock_counts,
    count(*) filter (where is_low_cover) as low_cover_counts,
    round(count(*) filter (where is_low_cover) / count(*), 3) as low_cover_share,
    round(median(days_of_cover), 1) as median_days_of_cover,
    round(avg(stock_units), 1) as avg_stock_units,
    round(avg(avg_daily_units), 3) as avg_daily_units,
    count(*) >= {{ var('understocked_min_counts') }}
    and count(*) filter (where is_low_cover) / count(*) >= {{ var('understocked_share') }}
        as is_perpetually_understocked
from {{ ref('fct_outlet_stock_cover') }}
group by outlet_code, sku_code
