-- Sell-through per distributor x outlet x SKU x day from every source: invoices where the distributor sent
-- invoices for that day, else its countable orders (a WhatsApp-only distributor still shows), each with its
-- origin and confidence (1 for invoices). Incremental by sale_date.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook', 'whatsapp', 'sfa'], 'date_column': 'sale_date', 'fingerprint': 'secondary_sales_dims'}},
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
)

select *, {{ built_through() }} as _built_through, {{ secondary_sales_dims_fingerprint() }} as _dims_fingerprint
from (
    select * from invoices
    union all
    select * from orders
)
