-- A daily stock ledger per distributor x SKU: each statement's reported opening is the anchor on its first
-- day; every later day's closing = anchor + receipts - sales (billed + free) + market returns - returns to
-- the brand since the anchor. Days after the last statement run on from its anchor.
with movements as (
    select * from {{ ref('int_distributor_stock__daily_movements') }}
),

anchors as (
    select distributor_code, sku_code, period_start as anchor_date, sum(opening_units) as anchor_units
    from {{ ref('int_stock_statement__current') }}
    group by distributor_code, sku_code, period_start
),

bounds as (
    select
        anchors.distributor_code,
        anchors.sku_code,
        min(anchors.anchor_date) as first_day,
        greatest(
            max(anchors.anchor_date),
            coalesce(max(movements.movement_date), max(anchors.anchor_date))
        ) as last_day
    from anchors
    left join movements using (distributor_code, sku_code)
    group by anchors.distributor_code, anchors.sku_code
),

days as (
    select bounds.distributor_code, bounds.sku_code, cast(t.day as date) as stock_date
    from bounds,
        range(bounds.first_day, bounds.last_day + interval 1 day, interval 1 day) as t(day)
),

daily as (
    select
        days.distributor_code,
        days.sku_code,
        days.stock_date,
        coalesce(movements.receipts_units, 0) as receipts_units,
        coalesce(movements.sales_units, 0) as sales_units,
        coalesce(movements.market_returns_units, 0) as market_returns_units,
        coalesce(movements.returns_to_brand_units, 0) as returns_to_brand_units
    from days
    left join movements
        on movements.distributor_code = days.distributor_code
        and movements.sku_code = days.sku_code
        and movements.movement_date = days.stock_date
),

anchored as (
    select daily.*, anchors.anchor_date, anchors.anchor_units
    from daily
    asof join anchors
        on anchors.distributor_code = daily.distributor_code
        and anchors.sku_code = daily.sku_code
        and anchors.anchor_date <= daily.stock_date
),

running as (
    select
        *,
        receipts_units - sales_units + market_returns_units - returns_to_brand_units as net_movement_units,
        anchor_units + sum(receipts_units - sales_units + market_returns_units - returns_to_brand_units) over (
            partition by distributor_code, sku_code, anchor_date
            order by stock_date rows between unbounded preceding and current row
        ) as closing_units
    from anchored
)

select
    distributor_code,
    sku_code,
    stock_date,
    (closing_units - net_movement_units)::bigint as opening_units,
    receipts_units::bigint as receipts_units,
    sales_units::bigint as sales_units,
    market_returns_units::bigint as market_returns_units,
    returns_to_brand_units::bigint as returns_to_brand_units,
    closing_units::bigint as closing_units,
    closing_units <= 0 as is_stocked_out,
    anchor_date as anchored_on
from running
