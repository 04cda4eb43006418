-- Per distributor x SKU x stock-statement period: opening + receipts - sales + market returns
-- - returns to brand = computed closing, beside the closing the distributor reported; outside tolerance, the
-- likely cause where the data can tell (missing sales file, unit mismatch, unmapped SKU, else unexplained).
-- Incremental by period_end: a night recomputes the periods its files touch. Keyed for drill-down:
-- zone > region > state > distributor and brand > category > SKU (a change of those rebuilds it whole).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook', 'primary_sales', 'stock_statement'], 'date_column': 'period_end', 'fingerprint': 'distributor_sku_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
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
    where movement_date >= {{ reconciliation_movements_from() }}
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
),

sales_loads as (
    select distributor_code, period_start, period_end
    from {{ ref('stg_ingest__loads') }}
    where status = 'loaded'
        and source_kind in ('distributor_sales', 'tally_daybook')
        and period_start is not null
),

statement_days as (
    select distinct
        distributor_code,
        period_start,
        unnest(generate_series(period_start, period_end, interval 1 day))::date as statement_day
    from reconciled
),

sales_file_gaps_by_day as (
    -- days of the statement period that no loaded sales file of the distributor covers (each day once)
    select
        distributor_code,
        period_start,
        count(*) filter (where not covered) as days_without_sales_file
    from (
        select
            statement_days.distributor_code,
            statement_days.period_start,
            statement_days.statement_day,
            bool_or(covering.distributor_code is not null) as covered
        from statement_days
        left join sales_loads as covering
            on covering.distributor_code = statement_days.distributor_code
            and statement_days.statement_day between covering.period_start and covering.period_end
        group by statement_days.distributor_code, statement_days.period_start, statement_days.statement_day
    )
    group by distributor_code, period_start
),

unmapped_rows as (
    -- sales rows quarantined as unknown SKU, from loads whose period overlaps the statement's
    select
        reconciled.distributor_code,
        reconciled.sku_code,
        reconciled.period_start,
        count(quarantined.load_id) as unmapped_sku_rows
    from reconciled
    inner join {{ ref('stg_ingest__loads') }} as loads
        on loads.distributor_code = reconciled.distributor_code
        and loads.status = 'loaded'
        and loads.source_kind in ('distributor_sales', 'tally_daybook')
        and loads.period_start <= reconciled.period_end
        and loads.period_end >= reconciled.period_start
    inner join {{ ref('stg_ingest__quarantined_rows') }} as quarantined
        on quarantined.load_id = loads.load_id
        and quarantined.reason_code = 'unknown_sku'
    group by reconciled.distributor_code, reconciled.sku_code, reconciled.period_start
),

checked as (
    select
        reconciled.*,
        reconciled.reported_closing_units - reconciled.computed_closing_units as variance_units,
        abs(reconciled.reported_closing_units - reconciled.computed_closing_units) <= greatest(
            {{ var('stock_variance_tolerance_units') }},
            {{ var('stock_variance_tolerance_pct') }} / 100.0 * abs(reconciled.computed_closing_units)
        ) as is_within_tolerance,
        distributors.zone,
        distributors.region,
        distributors.state,
        skus.brand,
        skus.category,
        skus.units_per_case,
        coalesce(gaps.days_without_sales_file, 0) as days_without_sales_file,
        coalesce(unmapped_rows.unmapped_sku_rows, 0) as unmapped_sku_rows,
        coalesce(
            reconciled.reported_sales_units
            > reconciled.secondary_sales_units - reconciled.market_returns_units,
            true
        ) as sales_short_of_statement
    from reconciled
    left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = reconciled.distributor_code
    left join {{ ref('dim_sku') }} as skus on skus.sku_code = reconciled.sku_code
    left join sales_file_gaps_by_day as gaps
        on gaps.distributor_code = reconciled.distributor_code
        and gaps.period_start = reconciled.period_start
    left join unmapped_rows
        on unmapped_rows.distributor_code = reconciled.distributor_code
        and unmapped_rows.sku_code = reconciled.sku_code
        and unmapped_rows.period_start = reconciled.period_start
)

select
    distributor_code,
    zone,
    region,
    state,
    sku_code,
    brand,
    category,
    period_start,
    period_end,
    opening_units,
    receipts_units,
    secondary_sales_units,
    market_returns_units,
    returns_to_brand_units,
    computed_closing_units,
    reported_closing_units,
    reported_receipts_units,
    reported_sales_units,
    statement_file,
    variance_units,
    round(100.0 * (reported_closing_units - computed_closing_units) / nullif(abs(computed_closing_units), 0), 2)
        as variance_pct,
    is_within_tolerance,
    days_without_sales_file,
    unmapped_sku_rows,
    case
        when is_within_tolerance then null
        -- sales we never received: the distributor reports less stock than computed, a day of the period has no
        -- sales file, and its statement (when it reports sales) says it sold more than the files we hold show
        when variance_units < 0 and days_without_sales_file > 0 and sales_short_of_statement
            then 'missing_sales_file'
        -- cases read as pieces (or the reverse): a whole number of cases off, or the closing x / ÷ the case size
        when units_per_case > 1 and (
            variance_units % units_per_case = 0
            or abs(reported_closing_units - computed_closing_units * units_per_case)
                <= greatest(1, {{ var('stock_variance_tolerance_pct') }} / 100.0 * abs(computed_closing_units * units_per_case))
            or abs(reported_closing_units * units_per_case - computed_closing_units)
                <= greatest(1, {{ var('stock_variance_tolerance_pct') }} / 100.0 * abs(computed_closing_units))
        ) then 'unit_mismatch'
        -- sales lines we quarantined as unknown SKUs: they may be this SKU's, so it reports less stock
        when variance_units < 0 and unmapped_sku_rows > 0 and sales_short_of_statement then 'unmapped_sku'
        else 'unexplained'
    end as likely_cause,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('distributor_sku_dims') }} as _dims_fingerprint
from checked
