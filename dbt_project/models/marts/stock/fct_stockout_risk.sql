-- Stock-out prediction per distributor x SKU as of the data's latest day: the probability of running out within
-- 7 days and within the distributor's lead time, the expected date, and the suggested order (whole cases).
-- An alert: 7-day probability >= var stockout_alert_probability, or the expected date within the lead time.
-- Ranked within each distributor, most urgent first.
with predictions as (
    select
        *,
        stockout_probability_7d >= {{ var('stockout_alert_probability') }}
        or coalesce(expected_stockout_date <= as_of_date + lead_time_days, false) as is_alert
    from {{ ref('int_stockout__predictions') }}
)

select
    predictions.distributor_code,
    predictions.sku_code,
    predictions.as_of_date,
    distributor.zone,
    distributor.region,
    distributor.state,
    sku.brand,
    sku.category,
    predictions.closing_units,
    predictions.in_transit_units,
    predictions.lead_time_days,
    predictions.forecast_units_7d,
    predictions.days_of_cover,
    predictions.stockout_probability_7d,
    predictions.stockout_probability_lead_time,
    predictions.expected_stockout_date,
    predictions.suggested_order_units,
    predictions.is_alert,
    row_number() over (
        partition by predictions.distributor_code
        order by predictions.is_alert desc, predictions.stockout_probability_7d desc,
            predictions.expected_stockout_date nulls last, predictions.sku_code
    ) as distributor_rank
from predictions
left join {{ ref('dim_distributor') }} as distributor on distributor.distributor_code = predictions.distributor_code
left join {{ ref('dim_sku') }} as sku on sku.sku_code = predictions.sku_code
