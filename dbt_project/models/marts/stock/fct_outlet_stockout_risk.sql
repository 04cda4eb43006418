-- Outlet x SKU stock-out risk: one row per counted outlet x SKU, from its latest count on or before the as-of
-- date (int_outlet_stockout__predictions, sellthrough/forecast/outlet_stockout.py), with its drill keys and rep.
--   stockout_probability = P(the shelf is out, or runs out, from the count to 7 days after the as-of date)
--   is_alert             = stockout_probability >= var(stockout_alert_probability)
--   rep_rank / distributor_rank: the alerts ranked for the outlet's rep and distributor, most likely and
--   soonest first
with predictions as (
    select * from {{ ref('int_outlet_stockout__predictions') }}
),

latest_counts as (
    select *
    from {{ ref('fct_outlet_stock_cover') }}
    qualify row_number() over (partition by outlet_code, sku_code order by count_date desc) = 1
),

risk as (
    select
        predictions.outlet_code,
        counts.master_outlet_id,
        counts.distributor_code,
        counts.zone,
        counts.region,
        counts.state,
        counts.beat_code,
        counts.channel,
        counts.outlet_class,
        coalesce(counts.rep_code, outlets.rep_code) as rep_code,
        predictions.sku_code,
        counts.brand,
        counts.category,
        as_of.as_of_date,
        predictions.count_date,
        date_diff('day', predictions.count_date, as_of.as_of_date) as count_age_days,
        counts.count_source,
        predictions.stock_units,
        predictions.supply_units,
        predictions.daily_rate_units,
        predictions.intervals,
        predictions.stockout_probability,
        predictions.expected_stockout_date,
        predictions.suggested_order_units,
        coalesce(predictions.stockout_probability >= {{ var('stockout_alert_probability') }}, false) as is_alert
    from predictions
    cross join {{ ref('int_calendar__as_of') }} as as_of
    left join latest_counts as counts
        on counts.outlet_code = predictions.outlet_code
        and counts.sku_code = predictions.sku_code
        and counts.count_date = predictions.count_date
    left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = predictions.outlet_code
)

select
    *,
    case when is_alert then row_number() over (
        partition by is_alert, rep_code
        order by stockout_probability desc, expected_stockout_date nulls last, outlet_code, sku_code
    ) end as rep_rank,
    case when is_alert then row_number() over (
        partition by is_alert, distributor_code
        order by stockout_probability desc, expected_stockout_date nulls last, outlet_code, sku_code
    ) end as distributor_rank
from risk
