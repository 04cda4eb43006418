-- Sell-through per distributor x outlet x SKU x day from every source: invoices where the distributor sent
-- invoices for that day, else its countable orders (a WhatsApp-only distributor still shows), each with its
-- origin and confidence (1 for invoices). Keyed for drill-down like fct_secondary_sales: zone > region > state >
-- distributor > beat > outlet (the beat of the master outlet's golden record on the day, int_outlets__versions)
-- and brand > category > SKU.
-- Incremental by sale_date.
-- On Spark partitioned by sale_date: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('sale_date'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook', 'whatsapp', 'sfa'], 'date_column': 'sale_date', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with invoices as (
    select
        distributor_code,
        coalesce(master_outlet_id, outlet_code) as outlet_id,
        sku_code,
        invoice_date as sale_date,
        'invoice' as origin,
        sum(signed_quantity_units) as net_units,
        sum(signed_net_amount) as net_amount,
        1.0 as confidence
    from {{ ref('fct_secondary_sales') }}
    where invoice_date >= {{ incremental_window_from() }}
    group by all
),

invoiced_days as (
    select distinct distributor_code, sale_date from invoices
),

orders as (
    select
        orders.distributor_code,
        coalesce(orders.master_outlet_id, orders.outlet_code) as outlet_id,
        orders.sku_code,
        orders.order_date as sale_date,
        'order' as origin,
        sum(orders.quantity_units) as net_units,
        null::double as net_amount,
        min(orders.confidence) as confidence
    from {{ ref('fct_secondary_orders') }} as orders
    where orders.is_countable
      and orders.order_date >= {{ incremental_window_from() }}
      and not exists (
          select 1 from invoiced_days
          where invoiced_days.distributor_code = orders.distributor_code
            and invoiced_days.sale_date = orders.order_date
      )
    group by all
),

sales as (
    select * from invoices
    union all
    select * from orders
),

golden_outlets as (
    select master_outlet_id, outlet_code from {{ ref('dim_outlet') }} where is_golden
),

placements as (
    select outlet_code, beat_code, channel, outlet_class, effective_from, effective_to
    from {{ ref('int_outlets__versions') }}
)

select
    sales.distributor_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    sales.outlet_id,
    placements.beat_code,
    placements.channel,
    placements.outlet_class,
    sales.sku_code,
    skus.brand,
    skus.category,
    sales.sale_date,
    sales.origin,
    sales.net_units,
    sales.net_amount,
    sales.confidence,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from sales
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = sales.distributor_code
left join golden_outlets on golden_outlets.master_outlet_id = sales.outlet_id
left join placements on {{ placement_in_force('golden_outlets.outlet_code', 'sales.sale_date') }}
left join {{ ref('dim_sku') }} as skus on skus.sku_code = sales.sku_code
