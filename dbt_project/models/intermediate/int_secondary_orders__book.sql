-- The order book as the night knows it: retailers' order lines booked ahead of the day they are wanted (a delivery
-- date after the order date: modern-trade purchase orders, pre-sold beats), booked by the as-of date, each matched
-- against the distributor's invoices of the same outlet x SKU up to the as-of date. An order line is invoiced on
-- the first such invoice dated from its delivery date on, or, billed early, on the first one after its booking day
-- and before its delivery date that carries at least its units. Open: due after the as-of date and not invoiced
-- (int_secondary_orders__open); the stock-out model reads the open lines as demand known ahead and the past lines
-- for how much of a day's demand was booked how far ahead (sellthrough/forecast/stockout.py).
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

booked as (
    select
        orders.origin,
        orders.load_id,
        orders.distributor_code,
        orders.order_id,
        orders.order_line_number,
        orders.rep_code,
        orders.outlet_code,
        orders.sku_code,
        orders.order_date as booked_on,
        orders.delivery_date as due_date,
        orders.quantity_units as units,
        as_of.as_of_date
    from {{ ref('int_secondary_orders__current') }} as orders
    cross join as_of
    where orders.delivery_date > orders.order_date
        and orders.order_date <= as_of.as_of_date
        and orders.status <> 'cancelled'
        and orders.sku_code is not null
),

-- the distributor x outlet x SKU combinations with a booked line: only their invoices can match one, and the join
-- below reads none of the fact when the book is empty (no order-book exports), rather than every line of history
booked_keys as (
    select distinct distributor_code, outlet_code, sku_code from booked
),

invoices as (
    select
        lines.distributor_code, lines.outlet_code, lines.sku_code, lines.invoice_date,
        sum(lines.quantity_units) as units
    from {{ ref('fct_secondary_sales') }} as lines
    inner join booked_keys
        on booked_keys.distributor_code = lines.distributor_code
        and booked_keys.outlet_code = lines.outlet_code
        and booked_keys.sku_code = lines.sku_code
    where lines.line_type = 'sale'
        and lines.invoice_date > (select min(booked_on) from booked)
        and lines.invoice_date <= (select as_of_date from as_of)
    group by lines.distributor_code, lines.outlet_code, lines.sku_code, lines.invoice_date
),

matched as (
    select
        booked.origin,
        booked.distributor_code,
        booked.order_id,
        booked.order_line_number,
        min(invoices.invoice_date) as invoiced_on
    from booked
    inner join invoices
        on invoices.distributor_code = booked.distributor_code
        and invoices.outlet_code = booked.outlet_code
        and invoices.sku_code = booked.sku_code
        and invoices.invoice_date > booked.booked_on
        and (invoices.invoice_date >= booked.due_date or invoices.units >= booked.units)
    group by booked.origin, booked.distributor_code, booked.order_id, booked.order_line_number
)

select
    booked.origin,
    booked.load_id,
    booked.distributor_code,
    booked.order_id,
    booked.order_line_number,
    booked.rep_code,
    booked.outlet_code,
    booked.sku_code,
    booked.booked_on,
    booked.due_date,
    booked.units,
    matched.invoiced_on,
    booked.as_of_date,
    booked.due_date > booked.as_of_date and matched.invoiced_on is null as is_open
from booked
left join matched
    on matched.origin = booked.origin
    and matched.distributor_code = booked.distributor_code
    and matched.order_id = booked.order_id
    and matched.order_line_number = booked.order_line_number
