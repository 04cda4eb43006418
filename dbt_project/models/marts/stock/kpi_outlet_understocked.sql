-- Perpetually understocked outlets: one row per outlet x SKU counted at least var(understocked_min_counts) times.
-- An outlet's sales of a SKU are capped by its stock when the shelf is found empty (or below
-- var(stockout_risk_cover_days) days of cover) at most counts: it sells what it has, and what it buys is not what
-- it could sell.
--   low_cover_share = counts with is_low_cover / counts
--   is_perpetually_understocked = counts >= var(understocked_min_counts)
--                                 and low_cover_share >= var(understocked_share)
-- The outlet's placement (master outlet, distributor, geography, beat, channel) is its latest count's.
select
    outlet_code,
    {{ arg_max('master_outlet_id', 'count_date') }} as master_outlet_id,
    {{ arg_max('distributor_code', 'count_date') }} as distributor_code,
    {{ arg_max('zone', 'count_date') }} as zone,
    {{ arg_max('region', 'count_date') }} as region,
    {{ arg_max('state', 'count_date') }} as state,
    {{ arg_max('beat_code', 'count_date') }} as beat_code,
    {{ arg_max('channel', 'count_date') }} as channel,
    sku_code,
    {{ arg_max('brand', 'count_date') }} as brand,
    {{ arg_max('category', 'count_date') }} as category,
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
