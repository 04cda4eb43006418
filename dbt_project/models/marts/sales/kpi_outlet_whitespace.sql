-- Outlet whitespace: SKUs an outlet's peers buy and it does not. Peers = the active outlets of its region,
-- channel and outlet class (its outlet cluster), over the last var(ranking_window_days) days up to the as-of date.
-- One row per master outlet x SKU where the outlet bought something in the window but not that SKU, while at
-- least var(whitespace_peer_share) of its peers (and at least var(whitespace_min_peers) outlets) did.
--   peer_share = peers that bought the SKU / active peers (the outlet itself excluded)
--   peer_avg_units = average net units of the SKU among the peers that bought it: what one more outlet might sell
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

bought as (
    select
        coalesce(sales.master_outlet_id, sales.outlet_code) as outlet_id,
        sales.sku_code,
        sum(sales.signed_quantity_units) as units
    from {{ ref('fct_secondary_sales') }} as sales
    cross join as_of
    where sales.invoice_date > as_of.as_of_date - {{ var('ranking_window_days') }}
      and sales.invoice_date <= as_of.as_of_date
      and sales.invoice_date > {{ as_of_date_literal() }} - {{ var('ranking_window_days') }}  -- reaches the scan
      and sales.line_type = 'sale'
    group by all
    having sum(sales.signed_quantity_units) > 0
),

-- a master outlet's twins (one shop under two distributors' codes) may sit in different beats: its placement is
-- the twin with the smallest outlet code's, the same in every build
outlets as (
    select
        outlets.master_outlet_id as outlet_id,
        {{ arg_min('outlets.distributor_code', 'outlets.outlet_code') }} as distributor_code,
        {{ arg_min('outlets.zone', 'outlets.outlet_code') }} as zone,
        {{ arg_min('outlets.region', 'outlets.outlet_code') }} as region,
        {{ arg_min('outlets.state', 'outlets.outlet_code') }} as state,
        {{ arg_min('outlets.beat_code', 'outlets.outlet_code') }} as beat_code,
        {{ arg_min('outlets.channel', 'outlets.outlet_code') }} as channel,
        {{ arg_min('outlets.outlet_class', 'outlets.outlet_code') }} as outlet_class
    from {{ ref('dim_outlet') }} as outlets
    where outlets.master_outlet_id in (select outlet_id from bought)
    group by all
),

clusters as (
    select region, channel, outlet_class, count(*) as active_outlets
    from outlets
    group by all
),

sku_buyers as (
    select
        outlets.region,
        outlets.channel,
        outlets.outlet_class,
        bought.sku_code,
        count(*) as buyers,
        avg(bought.units) as avg_units
    from bought
    inner join outlets using (outlet_id)
    group by all
)

select
    outlets.outlet_id as master_outlet_id,
    outlets.distributor_code,
    outlets.zone,
    outlets.region,
    outlets.state,
    outlets.beat_code,
    outlets.channel,
    outlets.outlet_class,
    sku_buyers.sku_code,
    skus.brand,
    skus.category,
    clusters.active_outlets - 1 as peers,
    sku_buyers.buyers as peers_buying,
    round(sku_buyers.buyers / (clusters.active_outlets - 1), 3) as peer_share,
    round(sku_buyers.avg_units, 1) as peer_avg_units,
    (select as_of_date from as_of) as as_of_date
from outlets
inner join clusters using (region, channel, outlet_class)
inner join sku_buyers using (region, channel, outlet_class)
left join {{ ref('dim_sku') }} as skus on skus.sku_code = sku_buyers.sku_code
where clusters.active_outlets - 1 >= {{ var('whitespace_min_peers') }}
  and sku_buyers.buyers / (clusters.active_outlets - 1) >= {{ var('whitespace_peer_share') }}
  and not exists (
      select 1 from bought where bought.outlet_id = outlets.outlet_id and bought.sku_code = sku_buyers.sku_code
  )
