{#-
Numeric and weighted distribution per product (an SKU, or a brand) x month x geography, from the sale lines of
fct_secondary_sales, at geo_level national, zone, region, state and distributor (the distributor's geography):
  numeric_distribution  = outlets that bought the product / outlets that bought anything
  weighted_distribution = sales value, in the product's categories, of the outlets that bought the product
                          / sales value in those categories of all outlets
(in the geography and month). An SKU's categories are its own; a brand's are those its SKUs sold in the geography and
month. An outlet is its master outlet (duplicates once). `product_columns`: the product's key first, then columns
that go with it (sku_code, brand, category; or brand); rows join on the key. Used by kpi_distribution and
kpi_brand_distribution, which are incremental by month: the window's first day is a month's first day.
-#}
{% macro distribution_by(product_columns) -%}
{%- set product = product_columns | join(', ') -%}
{%- set key = product_columns[0] -%}
with sales as (
    -- one row per month x outlet x SKU (with its geography) before the five geography levels fan out: everything
    -- below counts distinct outlets or sums value, so the lines' detail is not needed, and the rows the levels
    -- multiply no longer grow with the lines (at 20M lines, a fifth; the whole history's build spills less)
    select
        date_trunc('month', invoice_date)::date as month_start,
        zone,
        region,
        state,
        distributor_code,
        coalesce(master_outlet_id, outlet_code) as outlet_id,
        sku_code,
        brand,
        category,
        sum(net_amount) as net_amount
    from {{ ref('fct_secondary_sales') }}
    where line_type = 'sale' and coalesce(master_outlet_id, outlet_code) is not null
      and invoice_date >= {{ incremental_window_from() }}
    group by all
),

geos as (
    select month_start, 'national' as geo_level, 'India' as geo_value, outlet_id, sku_code, brand, category, net_amount
    from sales
    union all
    select month_start, 'zone', zone, outlet_id, sku_code, brand, category, net_amount from sales
    union all
    select month_start, 'region', region, outlet_id, sku_code, brand, category, net_amount from sales
    union all
    select month_start, 'state', state, outlet_id, sku_code, brand, category, net_amount from sales
    union all
    select month_start, 'distributor', distributor_code, outlet_id, sku_code, brand, category, net_amount from sales
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

product_outlets as (
    select distinct month_start, geo_level, geo_value, {{ key }}, outlet_id from geos
),

product_categories as (
    select distinct month_start, geo_level, geo_value, {{ key }}, category from geos
),

buyers_value as (
    select
        product_outlets.month_start,
        product_outlets.geo_level,
        product_outlets.geo_value,
        product_outlets.{{ key }},
        sum(category_value.outlet_category_value) as category_value_of_buyers
    from product_outlets
    inner join product_categories using (month_start, geo_level, geo_value, {{ key }})
    inner join category_value using (month_start, geo_level, geo_value, category, outlet_id)
    group by all
),

categories_value as (
    select month_start, geo_level, geo_value, {{ key }}, sum(category_total.category_value) as category_value
    from product_categories
    inner join category_total using (month_start, geo_level, geo_value, category)
    group by all
),

per_product as (
    select month_start, geo_level, geo_value, {{ product }}, count(distinct outlet_id) as outlets_buying
    from geos
    group by all
)

select
    per_product.month_start,
    per_product.geo_level,
    per_product.geo_value,
    {% for column in product_columns %}per_product.{{ column }},
    {% endfor %}per_product.outlets_buying,
    universe.active_outlets,
    round(per_product.outlets_buying / universe.active_outlets, 4) as numeric_distribution,
    round(buyers_value.category_value_of_buyers / nullif(categories_value.category_value, 0), 4)
        as weighted_distribution,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('secondary_sales_dims') }} as _dims_fingerprint
from per_product
inner join universe using (month_start, geo_level, geo_value)
inner join buyers_value using (month_start, geo_level, geo_value, {{ key }})
inner join categories_value using (month_start, geo_level, geo_value, {{ key }})
{%- endmacro %}
