-- Daily sales series the anomaly detector judges (int_sales_anomalies__detected): net units billed per day
-- (fct_secondary_sales; lines whose unit could not be converted left out) at each level:
--   distributor (distributor_code), region (region), sku (sku_code, nationally),
--   outlet_cluster (region|channel|outlet_class: a kind of retailer in a region),
--   scheme (scheme_code|distributor_code: the scheme's SKUs at a distributor that ran it).
-- Days without sales are absent here; the detector fills them with zero.
-- Incremental by sale_date like the fact (macros/incremental/incremental_window.sql): a night rebuilds the dates its
-- files touch, so the detector reads its window and the distributors' whole series from a few thousand rows a
-- day, not from every line (a new masters snapshot, the schemes, rebuilds it whole).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('sale_date'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'sale_date', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with sales as (
    select
        invoice_date as sale_date,
        distributor_code,
        region,
        sku_code,
        coalesce(channel, '?') as channel,
        coalesce(outlet_class, '?') as outlet_class,
        signed_quantity_units as units
    from {{ ref('fct_secondary_sales') }}
    where signed_quantity_units is not null
      and {{ in_incremental_window('invoice_date') }}
),

series as (
    select 'distributor' as level, distributor_code as series_key, sale_date, sum(units)::double as units
    from sales
    group by all
    union all
    select 'region', region, sale_date, sum(units)::double
    from sales
    where region is not null
    group by all
    union all
    select 'sku', sku_code, sale_date, sum(units)::double
    from sales
    group by all
    union all
    select 'outlet_cluster', region || '|' || channel || '|' || outlet_class, sale_date, sum(units)::double
    from sales
    where region is not null
    group by all
    union all
    select 'scheme', schemes.scheme_code || '|' || sales.distributor_code, sales.sale_date, sum(sales.units)::double
    from sales
    inner join {{ ref('int_schemes__skus') }} as schemes
        on schemes.sku_code = sales.sku_code
        and (len(schemes.distributor_codes) = 0 or list_contains(schemes.distributor_codes, sales.distributor_code))
    group by all
)

select
    *,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from series
