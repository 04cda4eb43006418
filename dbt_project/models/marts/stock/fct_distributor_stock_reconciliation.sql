-- Per distributor x SKU x stock-statement period: opening + receipts - sales + market returns
-- - returns to brand = computed closing, beside the closing the distributor reported; outside tolerance, the
-- likely cause where the data can tell (missing sales file, unit mismatch with evidence beyond the arithmetic,
-- unmapped SKU, else unexplained).
-- Incremental by period_end: a night recomputes the periods its files touch. Keyed for drill-down:
-- zone > region > state > distributor and brand > category > SKU (a change of those rebuilds it whole).
-- On Spark partitioned by period_end: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('period_end'),
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
        coalesce(sum(movements.free_units), 0) as secondary_free_units,
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
        period_movements.secondary_free_units::bigint as secondary_free_units,
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
    -- the periods sales files declare (else their dates); a file that loaded no row covers nothing
    select distributor_code, period_start, period_end
    from {{ ref('stg_ingest__loads') }}
    where status = 'loaded'
        and source_kind in ('distributor_sales', 'tally_daybook')
        and period_start is not null
        and rows_loaded > 0
),

statement_days as (
    select distinct
        distributor_code,
        period_start,
        {{ days_between('period_start', 'period_end') }} as statement_day
    from reconciled
),

sales_file_gaps_by_day as (
    -- days of the statement period that no loaded sales file of the distributor covers (each day once), days the
    -- trade does not bill on (var sales_days_off, ISO weekdays: Sunday) aside
    select
        distributor_code,
        period_start,
        count(*) filter (
            where not covered and {{ iso_weekday('statement_day') }} not in ({{ var('sales_days_off', [7]) | join(', ') }})
        ) as days_without_sales_file
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
        ) as sales_short_of_statement,
        {{ closing_in_other_unit('reconciled.reported_closing_units', 'reconciled.computed_closing_units', 'skus.units_per_case') }}
            as closing_in_other_unit,
        {{ whole_cases_off('reconciled.reported_closing_units', 'reconciled.computed_closing_units', 'skus.units_per_case') }}
            as whole_cases_off
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
),

unit_slips as (
    -- lines outside tolerance off the way a unit slip leaves them (in the other unit, or by whole cases): this
    -- night's, and on an incremental night the earlier periods' as built before (the window rebuilds every period
    -- from its first day on, so those are final)
    select distributor_code, sku_code, period_start
    from checked
    where not is_within_tolerance and (closing_in_other_unit or whole_cases_off)
    {% if is_incremental() %}
    union all
    select built.distributor_code, built.sku_code, built.period_start
    from {{ this }} as built
    left join {{ ref('dim_sku') }} as skus on skus.sku_code = built.sku_code
    where built.period_end < {{ incremental_window_from() }}
        and not built.is_within_tolerance
        and (
            {{ closing_in_other_unit('built.reported_closing_units', 'built.computed_closing_units', 'skus.units_per_case') }}
            or {{ whole_cases_off('built.reported_closing_units', 'built.computed_closing_units', 'skus.units_per_case') }}
        )
    {% endif %}
),

unit_evidence as (
    -- for a line off by whole cases: the statement's other lines and the SKU's earlier periods with a unit slip
    select
        checked.distributor_code,
        checked.sku_code,
        checked.period_start,
        count(*) filter (
            where slips.period_start = checked.period_start and slips.sku_code <> checked.sku_code
        ) as statement_unit_slips,
        count(*) filter (
            where slips.sku_code = checked.sku_code and slips.period_start < checked.period_start
        ) as earlier_unit_slips
    from checked
    inner join unit_slips as slips
        on slips.distributor_code = checked.distributor_code
        and (slips.period_start = checked.period_start or slips.sku_code = checked.sku_code)
    where checked.whole_cases_off and not checked.is_within_tolerance
    group by checked.distributor_code, checked.sku_code, checked.period_start
),

evidenced as (
    select
        checked.*,
        coalesce(unit_evidence.statement_unit_slips, 0) as statement_unit_slips,
        coalesce(unit_evidence.earlier_unit_slips, 0) as earlier_unit_slips
    from checked
    left join unit_evidence
        on unit_evidence.distributor_code = checked.distributor_code
        and unit_evidence.sku_code = checked.sku_code
        and unit_evidence.period_start = checked.period_start
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
    secondary_free_units,
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
        -- cases read as pieces (or the reverse): the closing reported in the other unit (x / ÷ the case size), or
        -- off by a whole number of cases where more than chance says so: another line of the same statement, or
        -- an earlier period of this SKU, slipped the same way (macros/rules/unit_slips.sql)
        when closing_in_other_unit then 'unit_mismatch'
        when whole_cases_off and (statement_unit_slips > 0 or earlier_unit_slips > 0) then 'unit_mismatch'
        -- sales lines we quarantined as unknown SKUs: they may be this SKU's, so it reports less stock
        when variance_units < 0 and unmapped_sku_rows > 0 and sales_short_of_statement then 'unmapped_sku'
        else 'unexplained'
    end as likely_cause,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('distributor_sku_dims') }} as _dims_fingerprint
from evidenced
