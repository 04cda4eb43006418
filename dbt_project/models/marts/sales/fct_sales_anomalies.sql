-- Sales anomalies, one row per anomaly found (int_sales_anomalies__detected) with its drill keys: a distributor's
-- zone, region and state; a region's zone; a SKU's brand and category; an outlet cluster's region, channel and
-- outlet class; a scheme series' scheme and distributor. size_units = actual - expected over the anomaly's days
-- (expected: STL trend + season for spikes and dips, the series' usual level for drops, the usual share of the
-- distributor's units for a scheme series' post-scheme drop, the 28 days before for sales_stopped); detected_on = the
-- first day the night could flag it.
with detected as (
    select
        *,
        case level
            when 'distributor' then series_key
            when 'scheme' then split_part(series_key, '|', 2)
        end as distributor_code,
        case level when 'region' then series_key when 'outlet_cluster' then split_part(series_key, '|', 1) end
            as series_region,
        case level when 'sku' then series_key end as sku_code,
        case level when 'scheme' then split_part(series_key, '|', 1) end as scheme_code,
        case level when 'outlet_cluster' then split_part(series_key, '|', 2) end as channel,
        case level when 'outlet_cluster' then split_part(series_key, '|', 3) end as outlet_class
    from {{ ref('int_sales_anomalies__detected') }}
    where kind <> '_night'  -- the row that carries the night's stamps (sellthrough/anomalies/nightly.py, STAMP)
),

regions as (
    select region, any_value(zone) as zone from {{ ref('dim_distributor') }} group by all
)

select
    detected.anomaly_id,
    detected.level,
    detected.series_key,
    detected.kind,
    detected.method,
    detected.start_date,
    detected.end_date,
    datediff('day', detected.start_date, detected.end_date) + 1 as days,
    detected.detected_on,
    detected.actual_units,
    detected.expected_units,
    detected.size_units,
    detected.size_pct,
    detected.score,
    coalesce(distributors.zone, regions.zone) as zone,
    coalesce(distributors.region, detected.series_region) as region,
    distributors.state,
    detected.distributor_code,
    detected.sku_code,
    skus.brand,
    skus.category,
    detected.scheme_code,
    detected.channel,
    detected.outlet_class
from detected
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = detected.distributor_code
left join regions on regions.region = detected.series_region
left join {{ ref('dim_sku') }} as skus on skus.sku_code = detected.sku_code
