-- Outlets that stopped or slowed buying, by beat, as of the last business day, with the retailer validation
-- the field team acts on (invalid GSTIN, impossible GPS, no sale for var(dormant_outlet_days) days):
--   dead: bought before, and nothing for max(var(dead_outlet_min_days), var(dead_outlet_gap_multiple) x the
--   outlet's median days between purchases) days
--   declining: last 28 days' net sales at least var(declining_outlet_drop_pct) % below the 28 days before
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

outlets as (
    select * from {{ ref('dim_outlet') }} where is_golden
),

-- purchase history over the last var(outlet_history_days) days only: the cost does not grow with history. One read
-- of the lines: each master outlet's days in that window, with their net amount and whether anything was sold (a
-- day of returns only is no purchase day)
outlet_days as (
    select
        sales.master_outlet_id,
        sales.invoice_date,
        sum(sales.signed_net_amount) as net_amount,
        sum(case when sales.line_type = 'sale' then 1 else 0 end) as sale_lines
    from {{ ref('fct_secondary_sales') }} as sales, as_of
    where sales.master_outlet_id is not null and sales.invoice_date <= as_of.as_of_date
      and sales.invoice_date > as_of.as_of_date - {{ var('outlet_history_days') }}
      and sales.invoice_date > {{ as_of_date_literal() }} - {{ var('outlet_history_days') }}  -- reaches the scan
    group by sales.master_outlet_id, sales.invoice_date
),

purchase_days as (
    select master_outlet_id, invoice_date from outlet_days where sale_lines > 0
),

gaps as (
    select master_outlet_id, median(gap_days) as median_gap_days
    from (
        select
            master_outlet_id,
            {{ days_diff('lag(invoice_date) over (partition by master_outlet_id order by invoice_date)', 'invoice_date') }}
                as gap_days
        from purchase_days
    )
    where gap_days is not null
    group by master_outlet_id
),

sales as (
    select
        days.master_outlet_id,
        sum(days.net_amount) filter (where days.invoice_date > as_of.as_of_date - 28) as last_28d_amount,
        sum(days.net_amount) filter (
            where days.invoice_date <= as_of.as_of_date - 28 and days.invoice_date > as_of.as_of_date - 56
        ) as previous_28d_amount,
        max(days.invoice_date) filter (where days.sale_lines > 0) as last_purchase_date
    from outlet_days as days, as_of
    group by days.master_outlet_id
),

classified as (
    select
        outlets.master_outlet_id,
        outlets.outlet_name,
        outlets.distributor_code,
        outlets.beat_code,
        outlets.beat_name,
        outlets.rep_code,
        outlets.zone,
        outlets.region,
        outlets.state,
        outlets.gstin_invalid,
        outlets.gps_impossible,
        as_of.as_of_date,
        sales.last_purchase_date,
        {{ days_diff('sales.last_purchase_date', 'as_of.as_of_date') }} as days_since_last_purchase,
        gaps.median_gap_days,
        greatest(
            {{ var('dead_outlet_min_days') }},
            coalesce({{ var('dead_outlet_gap_multiple') }} * gaps.median_gap_days, 0)
        ) as dead_after_days,
        coalesce(sales.last_28d_amount, 0) as last_28d_amount,
        coalesce(sales.previous_28d_amount, 0) as previous_28d_amount,
        round(
            100.0 * (coalesce(sales.last_28d_amount, 0) - sales.previous_28d_amount)
            / nullif(sales.previous_28d_amount, 0),
            1
        ) as change_pct
    from outlets
    cross join as_of
    left join sales on sales.master_outlet_id = outlets.master_outlet_id
    left join gaps on gaps.master_outlet_id = outlets.master_outlet_id
)

select
    *,
    coalesce(days_since_last_purchase, 1000000) >= {{ var('dormant_outlet_days') }} as no_sale_90d,
    gstin_invalid or gps_impossible
        or coalesce(days_since_last_purchase, 1000000) >= {{ var('dormant_outlet_days') }} as needs_field_check,
    case
        when last_purchase_date is null then 'never_bought'
        when days_since_last_purchase >= dead_after_days then 'dead'
        when change_pct <= -{{ var('declining_outlet_drop_pct') }} then 'declining'
        else 'performing'
    end as status
from classified
