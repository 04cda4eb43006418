-- Primary against secondary per distributor x month: what the brand billed the distributor beside what the
-- distributor sold on to retailers, and its stock building up. Months with primary or secondary sales.
--   primary_units / primary_amount  = ERP invoices - credit notes, by document date (fct_primary_sales)
--   secondary_out_units             = pieces that left for retailers: billed + free - retailers' returns
--                                     (fct_secondary_sales, by invoice date); secondary_amount = net rupees, returns
--                                     deducted
--   primary_secondary_ratio         = primary_units / secondary_out_units (null when nothing left)
--   stock_build_up_units            = the month's net movement of the stock ledger (fct_distributor_stock_daily:
--                                     receipts - sales + market returns - returns to the brand); goods billed but not
--                                     yet delivered are not in it
--   closing_stock_units             = the ledger's closing on the month's last ledger day
--   days_of_cover                   = closing_stock_units / (secondary_out_units / ledger days in the month)
--   is_stuffing_signal              = primary_secondary_ratio > var(stuffing_primary_secondary_ratio): the brand
--                                     bills more than the distributor sells on (stuffing, or a stock build-up)
-- Incremental by month (macros/incremental/incremental_window.sql): a night rebuilds the months from the first one its
-- loads of the four kinds below touch (the stock ledger moves with all four); on Spark partitioned by month_start.
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('month_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook', 'primary_sales', 'stock_statement'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'distributor_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with primary_monthly as (
    select
        distributor_code,
        date_trunc('month', doc_date)::date as month_start,
        sum(signed_quantity_units) as primary_units,
        sum(signed_net_amount) as primary_amount
    from {{ ref('fct_primary_sales') }}
    where doc_date >= {{ incremental_window_from() }}
    group by all
),

secondary_monthly as (
    select
        distributor_code,
        date_trunc('month', invoice_date)::date as month_start,
        coalesce(sum(quantity_units) filter (where line_type = 'sale'), 0) as secondary_billed_units,
        coalesce(sum(free_units) filter (where line_type = 'sale'), 0) as secondary_free_units,
        coalesce(sum(quantity_units) filter (where line_type = 'return'), 0) as secondary_returned_units,
        sum(signed_net_amount) as secondary_amount
    from {{ ref('fct_secondary_sales') }}
    where invoice_date >= {{ incremental_window_from() }}
    group by all
),

ledger as (
    select
        distributor_code,
        date_trunc('month', stock_date)::date as month_start,
        sum(receipts_units - sales_units + market_returns_units - returns_to_brand_units) as stock_build_up_units,
        sum(closing_units) filter (where stock_date = last_day) as closing_stock_units,
        count(distinct stock_date) as stock_days
    from (
        select
            *,
            max(stock_date) over (partition by distributor_code, date_trunc('month', stock_date)) as last_day
        from {{ ref('fct_distributor_stock_daily') }}
        where stock_date >= {{ incremental_window_from() }}
    )
    group by all
),

monthly as (
    select
        distributor_code,
        month_start,
        coalesce(primary_monthly.primary_units, 0) as primary_units,
        coalesce(primary_monthly.primary_amount, 0) as primary_amount,
        coalesce(secondary_monthly.secondary_billed_units, 0) as secondary_billed_units,
        coalesce(secondary_monthly.secondary_free_units, 0) as secondary_free_units,
        coalesce(secondary_monthly.secondary_returned_units, 0) as secondary_returned_units,
        coalesce(secondary_monthly.secondary_billed_units, 0) + coalesce(secondary_monthly.secondary_free_units, 0)
            - coalesce(secondary_monthly.secondary_returned_units, 0) as secondary_out_units,
        coalesce(secondary_monthly.secondary_amount, 0) as secondary_amount
    from primary_monthly
    full outer join secondary_monthly using (distributor_code, month_start)
)

select
    monthly.distributor_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    monthly.month_start,
    monthly.primary_units,
    round(monthly.primary_amount, 2) as primary_amount,
    monthly.secondary_billed_units,
    monthly.secondary_free_units,
    monthly.secondary_returned_units,
    monthly.secondary_out_units,
    round(monthly.secondary_amount, 2) as secondary_amount,
    round(monthly.primary_units / nullif(monthly.secondary_out_units, 0), 4) as primary_secondary_ratio,
    round(monthly.primary_amount / nullif(monthly.secondary_amount, 0), 4) as primary_secondary_value_ratio,
    ledger.stock_build_up_units,
    ledger.closing_stock_units,
    round(ledger.closing_stock_units / nullif(monthly.secondary_out_units / ledger.stock_days, 0), 1)
        as days_of_cover,
    coalesce(
        monthly.primary_units / nullif(monthly.secondary_out_units, 0) > {{ var('stuffing_primary_secondary_ratio') }},
        false
    ) as is_stuffing_signal,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('distributor_dims') }} as _dims_fingerprint
from monthly
left join ledger using (distributor_code, month_start)
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = monthly.distributor_code
