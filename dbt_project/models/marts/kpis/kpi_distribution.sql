-- Numeric and weighted distribution per SKU x month, nationally and per zone and region (geo_level):
--   numeric_distribution = outlets that bought the SKU / outlets that bought anything in the month
--   weighted_distribution = category sales value of the outlets that bought the SKU / category sales value of all
--   outlets (in the geography and month)
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'secondary_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with sales as (
    select
        date_trunc('month', invoice_date)::date as month_start,
        zone,
        region,
        coalesce(master_outlet_id, outlet_code) as outlet_id,
        sku_code,
        brand,
        category,
        net_amount
    from {{ ref('fct_secondary_sales') }}
    where line_type = 'sale' and coalesce(master_outlet_id, outlet_code) is not null
      and invoice_date >= {{ incremental_window_from() }}
),

geos as (
    select month_start, 'national' as geo_level, 'India' as geo_value, outlet_id, sku_code, brand, category, net_amount
    from sales
    union all
    select month_start, 'zone', zone, outlet_id, sku_code, brand, category, net_amount from sales
    union all
    select month_start, 'region', region, outlet_id, sku_code, brand, category, net_amount from sales
),

universe as (
    select month_start, geo_level, geo_value, count(distinct outlet_id) as active_outlets
    from geos group by all
),

category_value as (
    select month_start, geo_level, geo_value, category, outlet_id, sum(net_amount) as outlet_category_value
    from geos group by all
),

category_total as (
    select month_start, geo_level, geo_value, category, sum(outlet_category_value) as category_value
    from category_value group by all
),

sku_outlets as (
    select distinct month_start, geo_level, geo_value, sku_code, brand, category, outlet_id from geos
),

per_sku as (
    select
        sku_outlets.month_start,
        sku_outlets.geo_level,
        sku_outlets.geo_value,
        sku_outlets.sku_code,
        sku_outlets.brand,
        sku_outlets.category,
        count(*) as outlets_buying,
        sum(category_value.outlet_category_value) as category_value_of_buyers
    from sku_outlets
    inner join category_value using (month_start, geo_level, geo_value, category, outlet_id)
    group by all
)

select
    per_sku.month_start,
    per_sku.geo_level,
    per_sku.geo_value,
    per_sku.sku_code,
    per_sku.brand,
    per_sku.category,
    per_sku.outlets_buying,
    universe.active_outlets,
    round(per_sku.outlets_buying / universe.active_outlets, 4) as numeric_distribution,
    round(per_sku.category_value_of_buyers / nullif(category_total.category_value, 0), 4) as weighted_distribution,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('secondary_sales_dims') }} as _dims_fingerprint
from per_sku
inner join universe using (month_start, geo_level, geo_value)
inner join category_total using (month_start, geo_level, geo_value, category)
