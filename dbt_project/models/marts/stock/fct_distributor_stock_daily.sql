-- A daily stock ledger per distributor x SKU: each statement's reported opening is the anchor on its first
-- day; every later day's closing = anchor + receipts - sales (billed + free) + market returns - returns to
-- the brand since the anchor. Days after the last statement run on from its anchor.
-- Incremental by stock_date: a night recomputes from the first day its files touch, starting each running sum
-- at the anchor in effect on that day. Keyed for drill-down: zone > region > state > distributor and
-- brand > category > SKU (a change of those dimensions rebuilds the ledger whole).
-- On Spark partitioned by stock_date: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('stock_date'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook', 'primary_sales', 'stock_statement'], 'date_column': 'stock_date', 'fingerprint': 'distributor_sku_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

{#- rebuild from the window's first day, or from the day after the last day built if that is earlier;
    read movements from the anchor in effect then (macros/incremental/stock_window.sql: literals, so the filter reaches the
    scans of the current lines) -#}
{% set window_from = stock_ledger_rebuild_from() %}

with movements as (
    select * from {{ ref('int_distributor_stock__daily_movements') }}
    where movement_date >= {{ stock_ledger_movements_from(window_from) }}
),

anchors as (
    select distributor_code, sku_code, period_start as anchor_date, sum(opening_units) as anchor_units
    from {{ ref('int_stock_statement__current') }}
    group by distributor_code, sku_code, period_start
),

-- every distributor x SKU runs to the last day anything moved (a SKU that sells nothing still has stock)
last_day as (
    select greatest(
        (select max(anchor_date) from anchors),
        coalesce((select max(movement_date) from movements), (select max(anchor_date) from anchors))
    ) as last_day
),

bounds as (
    select
        anchors.distributor_code,
        anchors.sku_code,
        -- the anchor in effect on the first day to rebuild (the first anchor on a full build)
        coalesce(
            max(anchors.anchor_date) filter (where anchors.anchor_date <= {{ window_from }}),
            min(anchors.anchor_date)
        ) as first_day,
        any_value(last_day.last_day) as last_day
    from anchors, last_day
    group by anchors.distributor_code, anchors.sku_code
),

days as (
    select bounds.distributor_code, bounds.sku_code, {{ days_between('bounds.first_day', 'bounds.last_day') }} as stock_date
    from bounds
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
    {{ asof_join('daily', 'anchors', ['distributor_code', 'sku_code'], 'anchor_date', 'stock_date') }}
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
    running.distributor_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    running.sku_code,
    skus.brand,
    skus.category,
    running.stock_date,
    (running.closing_units - running.net_movement_units)::bigint as opening_units,
    running.receipts_units::bigint as receipts_units,
    running.sales_units::bigint as sales_units,
    running.market_returns_units::bigint as market_returns_units,
    running.returns_to_brand_units::bigint as returns_to_brand_units,
    running.closing_units::bigint as closing_units,
    running.closing_units <= 0 as is_stocked_out,
    running.anchor_date as anchored_on,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('distributor_sku_dims') }} as _dims_fingerprint
from running
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = running.distributor_code
left join {{ ref('dim_sku') }} as skus on skus.sku_code = running.sku_code
where running.stock_date >= {{ window_from }}
