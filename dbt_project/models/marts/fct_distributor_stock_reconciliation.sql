-- Per distributor x SKU x stock-statement period: opening + receipts - sales + market returns
-- - returns to brand = computed closing, beside the closing the distributor reported.
-- Incremental by period_end: a night recomputes the periods its files touch.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ incremental_window_prepare(['distributor_sales', 'tally_daybook', 'primary_sales', 'stock_statement'], 'period_end') }}",
) }}

with statements as (
    select
        distributor_code,
        sku_code,
        period_start,
        max(period_end) as period_end,
        sum(opening_units) as opening_units,
        sum(closing_units) as reported_closing_units,
        sum(receipts_units) as reported_receipts_units,
        sum(sales_units) as reported_sales_units,
        max(source_file) as statement_file
    from {{ ref('int_stock_statement__current') }}
    group by distributor_code, sku_code, period_start
    having {{ in_incremental_window('max(period_end)') }}
),

movements as (
    select * from {{ ref('int_distributor_stock__daily_movements') }}
    where movement_date >= (select coalesce(min(period_start), date '9999-12-31') from statements)
),

period_movements as (
    select
        statements.distributor_code,
        statements.sku_code,
        statements.period_start,
        coalesce(sum(movements.receipts_units), 0) as receipts_units,
        coalesce(sum(movements.sales_units), 0) as secondary_sales_units,
        coalesce(sum(movements.market_returns_units), 0) as market_returns_units,
        coalesce(sum(movements.returns_to_brand_units), 0) as returns_to_brand_units
    from statements
    left join movements
        on movements.distributor_code = statements.distributor_code
        and movements.sku_code = statements.sku_code
        and movements.movement_date between statements.period_start and statements.period_end
    group by statements.distributor_code, statements.sku_code, statements.period_start
),

reconciled as (
    select
        statements.distributor_code,
        statements.sku_code,
        statements.period_start,
        statements.period_end,
        statements.opening_units::bigint as opening_units,
        period_movements.receipts_units::bigint as receipts_units,
        period_movements.secondary_sales_units::bigint as secondary_sales_units,
        period_movements.market_returns_units::bigint as market_returns_units,
        period_movements.returns_to_brand_units::bigint as returns_to_brand_units,
        (
            statements.opening_units
            + period_movements.receipts_units
            - period_movements.secondary_sales_units
            + period_movements.market_returns_units
            - period_movements.returns_to_brand_units
        )::bigint as computed_closing_units,
        statements.reported_closing_units::bigint as reported_closing_units,
        statements.reported_receipts_units::bigint as reported_receipts_units,
        statements.reported_sales_units::bigint as reported_sales_units,
        statements.statement_file
    from statements
    inner join period_movements
        using (distributor_code, sku_code, period_start)
)

select
    *,
    reported_closing_units - computed_closing_units as variance_units,
    round(100.0 * (reported_closing_units - computed_closing_units) / nullif(abs(computed_closing_units), 0), 2)
        as variance_pct,
    abs(reported_closing_units - computed_closing_units) <= greatest(
        {{ var('stock_variance_tolerance_units') }},
        {{ var('stock_variance_tolerance_pct') }} / 100.0 * abs(computed_closing_units)
    ) as is_within_tolerance,
    {{ built_through() }} as _built_through
from reconciled
