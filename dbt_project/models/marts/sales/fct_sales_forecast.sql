-- Secondary sales forecast, 1-8 weeks ahead, with the 80% prediction interval: per distributor x SKU x week and
-- per brand x region x week (the sum of its distributor x SKU forecasts; its interval from its own model).
-- Fitted nightly by int_sales_forecast__weekly (statsforecast, sellthrough/forecast/); keyed for drill-down.
with forecast as (
    select * from {{ ref('int_sales_forecast__weekly') }}
),

region_zone as (
    select region, min(zone) as zone from {{ ref('dim_distributor') }} group by region
)

select
    forecast.forecast_level,
    case forecast.forecast_level
        when 'distributor_sku' then forecast.distributor_code || '|' || forecast.sku_code
        else forecast.brand || '|' || forecast.region
    end as series_key,
    forecast.week_start,
    forecast.horizon_weeks,
    forecast.as_of_date,
    coalesce(distributor.zone, region_zone.zone) as zone,
    forecast.region,
    distributor.state,
    forecast.distributor_code,
    forecast.brand,
    sku.category,
    forecast.sku_code,
    forecast.forecast_units,
    forecast.lower_80_units,
    forecast.upper_80_units,
    forecast.model,
    forecast.history_weeks
from forecast
left join {{ ref('dim_distributor') }} as distributor on distributor.distributor_code = forecast.distributor_code
left join {{ ref('dim_sku') }} as sku on sku.sku_code = forecast.sku_code
left join region_zone on region_zone.region = forecast.region
