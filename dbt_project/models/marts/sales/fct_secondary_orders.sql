-- One row per order line retailers or salesmen placed (WhatsApp and field app), with its confidence, review
-- flag and status (cancelled and corrected lines kept, marked). Keyed for drill-down like fct_secondary_sales: the
-- beat is the outlet's on the order date (int_outlets__versions, business time); master_outlet_id is today's.
with orders as (
    select * from {{ ref('int_secondary_orders__current') }}
),

placements as (
    select outlet_code, beat_code, channel, outlet_class, effective_from, effective_to
    from {{ ref('int_outlets__versions') }}
)

select
    md5(concat_ws('|', orders.origin, orders.load_id, orders.order_id, cast(orders.order_line_number as {{ dbt.type_string() }})))
        as order_line_key,
    orders.origin,
    orders.order_date,
    orders.ordered_at,
    orders.distributor_code,
    orders.order_id,
    orders.order_line_number,
    case when orders.origin = 'field_app' then 'rep' else coalesce(senders.sender_role, 'unknown') end
        as sender_role,
    coalesce(orders.rep_code, senders.rep_code) as sender_rep_code,
    orders.outlet_code,
    outlets.master_outlet_id,
    placements.beat_code,
    placements.channel,
    placements.outlet_class,
    distributors.zone,
    distributors.region,
    distributors.state,
    orders.sku_code,
    skus.brand,
    skus.category,
    orders.quantity_units,
    orders.confidence,
    orders.needs_review,
    orders.status,
    orders.status <> 'cancelled' and not orders.needs_review
        and orders.outlet_code is not null and orders.sku_code is not null and orders.quantity_units is not null
        as is_countable,
    orders.outlet_text,
    orders.item_text,
    orders.raw_text,
    orders.load_id as _load_id
from orders
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = orders.outlet_code
left join placements on {{ placement_in_force('orders.outlet_code', 'orders.order_date') }}
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = orders.distributor_code
left join {{ ref('dim_sku') }} as skus on skus.sku_code = orders.sku_code
left join {{ ref('dim_chat_sender') }} as senders
    on senders.distributor_code = orders.distributor_code and senders.sender_key = orders.author_key
