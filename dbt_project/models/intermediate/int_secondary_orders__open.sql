-- The open order book on the night's as-of date: order lines booked by then for a day after it and not invoiced
-- (int_secondary_orders__book). What the stock-out model adds to the coming days' demand.
select
    origin,
    load_id,
    distributor_code,
    order_id,
    order_line_number,
    rep_code,
    outlet_code,
    sku_code,
    booked_on,
    due_date,
    units,
    as_of_date
from {{ ref('int_secondary_orders__book') }}
where is_open
