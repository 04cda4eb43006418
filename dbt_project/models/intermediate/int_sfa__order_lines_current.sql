-- Field-app order lines, each order once: an order captured offline and synced more than once (same client
-- order id, in several files) is taken whole from its latest sync (latest server time, then latest load), so
-- a line dropped or changed in a later sync is dropped or changed here too.
with orders as (
    select
        distributor_code,
        client_order_id,
        {{ arg_max('load_id', row_of('server_time, load_id')) }} as winning_load_id
    from {{ ref('stg_sfa__order_lines') }}
    group by distributor_code, client_order_id
)

select lines.*
from {{ ref('stg_sfa__order_lines') }} as lines
inner join orders
    on orders.distributor_code = lines.distributor_code
    and orders.client_order_id = lines.client_order_id
    and orders.winning_load_id = lines.load_id
