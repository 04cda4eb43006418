-- Fill rate per distributor x month, orders against invoices. An order line (countable: not cancelled, not
-- awaiting review, outlet, SKU and quantity known) is filled by the same outlet's invoice lines of the same SKU
-- dated from the order day to var(fill_window_days) days after:
--   units_fill_rate = sum(min(invoiced units, ordered units)) / sum(ordered units)
--   line_fill_rate = order lines invoiced in full / order lines
with orders as (
    select * from {{ ref('fct_secondary_orders') }} where is_countable
),

invoiced as (
    select
        orders.order_line_key,
        coalesce(sum(sales.quantity_units), 0) as invoiced_units
    from orders
    left join {{ ref('fct_secondary_sales') }} as sales
        on sales.outlet_code = orders.outlet_code
        and sales.sku_code = orders.sku_code
        and sales.line_type = 'sale'
        and sales.invoice_date between orders.order_date and orders.order_date + {{ var('fill_window_days') }}
        and sales.invoice_date >= (select min(order_date) from orders)
    group by orders.order_line_key
)

select
    orders.distributor_code,
    date_trunc('month', orders.order_date)::date as month_start,
    any_value(orders.zone) as zone,
    any_value(orders.region) as region,
    any_value(orders.state) as state,
    count(*) as order_lines,
    sum(orders.quantity_units) as ordered_units,
    sum(least(invoiced.invoiced_units, orders.quantity_units)) as filled_units,
    count(*) filter (where invoiced.invoiced_units >= orders.quantity_units) as lines_filled_in_full,
    round(sum(least(invoiced.invoiced_units, orders.quantity_units)) / nullif(sum(orders.quantity_units), 0), 4)
        as units_fill_rate,
    round(count(*) filter (where invoiced.invoiced_units >= orders.quantity_units) / count(*), 4) as line_fill_rate
from orders
inner join invoiced using (order_line_key)
group by orders.distributor_code, date_trunc('month', orders.order_date)::date
