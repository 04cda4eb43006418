-- Per scheme: the sell-through it generated above a baseline, what it cost, its ROI, the claims paid above what was
-- earned, and the dip after it. Sales are the net rupees (returns deducted) of the scheme's eligible SKUs in
-- fct_secondary_sales, read per day x distributor x SKU (int_secondary_sales__daily); earnings per day x scheme x
-- distributor x SKU (int_secondary_sales__scheme_earnings_daily): neither reads every line each night.
--   running distributors = those with a line that earned under the scheme;
--                          their outlets are the scheme's outlets, the other distributors' the comparable outlets
--                          outside it (control)
--   observed days D      = the scheme's days up to the as-of date (int_calendar__as_of)
--   pre window           = the whole weeks just before the start, at most D days, within the history (null under 7)
--   post window          = the whole weeks just after the end, at most D days, up to the as-of date (null under 7)
--   control_growth       = control's sales per day during / control's per day in the pre window (null without a
--                          control or its pre sales: then 1)
--   baseline_amount      = the scheme's outlets' sales per day in the pre window x control_growth x D
--                          (the same outlets before, moved as the comparable outlets moved)
--   incremental_amount   = during_amount - baseline_amount
--   post_baseline_amount = pre sales per day x (control's post per day / its pre per day) x post days
--   post_dip_amount      = post_amount - post_baseline_amount (negative: sales fell below the baseline after the
--                          scheme, retailers having bought ahead); post_dip_pct = 100 x post_dip / post_baseline
--   cost_amount          = earned payouts (discounts the rules earned) + free goods at cost (the free pieces the
--                          rules earned x the SKU's primary rate: the distributor's average ERP invoice rate, else
--                          all distributors')
--   roi                  = (incremental_amount - cost_amount) / cost_amount
--   roi_after_dip        = (incremental_amount + post_dip_amount - cost_amount) / cost_amount
--   leakage_amount       = claimed - earned over the scheme's fct_scheme_redemption rows that are over-claimed
-- pre_window_schemes names the other schemes on any of the same SKUs active in the pre window: their lift is then
-- in the baseline, so the ROI understates.
{%- set observed_days = days_diff('schemes.start_date', 'least(schemes.end_date, history.as_of_date)') ~ ' + 1' %}

with schemes as (
    select * from {{ ref('dim_scheme') }}
),

history as (
    select
        (select min(invoice_date) from {{ ref('int_secondary_sales__daily') }}) as first_day,
        (select as_of_date from {{ ref('int_calendar__as_of') }}) as as_of_date
),

windows as (
    select
        schemes.scheme_code,
        schemes.start_date,
        schemes.end_date,
        least(schemes.end_date, history.as_of_date) as observed_end,
        ({{ observed_days }})::integer as observed_days,
        nullif(7 * {{ int_div('least(' ~ observed_days ~ ', ' ~ days_diff('history.first_day', 'schemes.start_date') ~ ')', 7) }}, 0)::integer
            as pre_days,
        nullif(7 * {{ int_div('least(' ~ observed_days ~ ', ' ~ days_diff('schemes.end_date', 'history.as_of_date') ~ ')', 7) }}, 0)::integer
            as post_days
    from schemes, history
    where schemes.start_date <= history.as_of_date
),

earnings as (
    select * from {{ ref('int_secondary_sales__scheme_earnings_daily') }}
),

running as (
    select distinct scheme_code, distributor_code from earnings where earning_lines > 0
),

eligible as (
    select
        windows.scheme_code,
        running.distributor_code is not null as is_running,
        case
            when lines.invoice_date < windows.start_date then 'pre'
            when lines.invoice_date <= windows.observed_end then 'during'
            else 'post'
        end as period,
        sum(lines.net_amount) as amount
    from windows
    inner join {{ ref('int_schemes__skus') }} as scheme_skus using (scheme_code)
    inner join {{ ref('int_secondary_sales__daily') }} as lines
        on lines.sku_code = scheme_skus.sku_code
        and lines.invoice_date between windows.start_date - coalesce(windows.pre_days, 0)
            and coalesce(windows.end_date + windows.post_days, windows.observed_end)
    left join running on running.scheme_code = windows.scheme_code and running.distributor_code = lines.distributor_code
    group by all
),

periods as (
    select
        scheme_code,
        coalesce(sum(amount) filter (where is_running and period = 'pre'), 0) as pre_amount,
        coalesce(sum(amount) filter (where is_running and period = 'during'), 0) as during_amount,
        coalesce(sum(amount) filter (where is_running and period = 'post'), 0) as post_amount,
        coalesce(sum(amount) filter (where not is_running and period = 'pre'), 0) as control_pre_amount,
        coalesce(sum(amount) filter (where not is_running and period = 'during'), 0) as control_during_amount,
        coalesce(sum(amount) filter (where not is_running and period = 'post'), 0) as control_post_amount
    from eligible
    group by scheme_code
),

primary_rates as (
    select distributor_code, sku_code, avg(rate) as rate
    from {{ ref('fct_primary_sales') }}
    where doc_type = 'invoice'
    group by distributor_code, sku_code
),

costs as (
    select
        earnings.scheme_code,
        sum(earnings.earned_amount) filter (where earnings.scheme_type <> 'free_goods') as earned_discount_amount,
        sum(earnings.earned_free_units) filter (where earnings.scheme_type = 'free_goods') as earned_free_units,
        sum(earnings.earned_free_units * coalesce(own.rate, every.rate))
            filter (where earnings.scheme_type = 'free_goods') as free_goods_cost_amount
    from earnings
    left join primary_rates as own
        on own.distributor_code = earnings.distributor_code and own.sku_code = earnings.sku_code
    left join (select sku_code, avg(rate) as rate from primary_rates group by sku_code) as every
        on every.sku_code = earnings.sku_code
    group by earnings.scheme_code
),

claims as (
    select
        scheme_code,
        sum(earned_amount) as earned_amount,
        sum(claimed_amount) as claimed_amount,
        coalesce(sum(claimed_amount - earned_amount) filter (where is_over_claimed), 0) as leakage_amount
    from {{ ref('fct_scheme_redemption') }}
    group by scheme_code
),

distributors as (
    select
        windows.scheme_code,
        count(distinct running.distributor_code) as running_distributors,
        (select count(*) from {{ ref('dim_distributor') }}) - count(distinct running.distributor_code)
            as control_distributors
    from windows
    left join running using (scheme_code)
    group by windows.scheme_code
),

pre_window_schemes as (
    select
        windows.scheme_code,
        {{ distinct_sorted_string_agg('others.scheme_code', "','") }} as pre_window_schemes
    from windows
    inner join schemes as own using (scheme_code)
    inner join schemes as others
        on others.scheme_code <> windows.scheme_code
        and {{ lists_overlap('own.sku_codes', 'others.sku_codes') }}
        and others.start_date <= windows.start_date - 1
        and others.end_date >= windows.start_date - windows.pre_days
    group by windows.scheme_code
),

measured as (
    select
        windows.*,
        coalesce(periods.pre_amount, 0) as pre_amount,
        coalesce(periods.during_amount, 0) as during_amount,
        coalesce(periods.post_amount, 0) as post_amount,
        coalesce(periods.control_pre_amount, 0) as control_pre_amount,
        coalesce(periods.control_during_amount, 0) as control_during_amount,
        coalesce(periods.control_post_amount, 0) as control_post_amount,
        periods.control_during_amount / windows.observed_days
            / nullif(periods.control_pre_amount / windows.pre_days, 0) as control_growth,
        periods.control_post_amount / windows.post_days
            / nullif(periods.control_pre_amount / windows.pre_days, 0) as control_post_growth,
        coalesce(costs.earned_discount_amount, 0) as earned_discount_amount,
        coalesce(costs.earned_free_units, 0) as earned_free_units,
        coalesce(costs.free_goods_cost_amount, 0) as free_goods_cost_amount,
        coalesce(costs.earned_discount_amount, 0) + coalesce(costs.free_goods_cost_amount, 0) as cost_amount
    from windows
    left join periods using (scheme_code)
    left join costs using (scheme_code)
),

estimated as (
    select
        *,
        pre_amount / pre_days * coalesce(control_growth, 1) * observed_days as baseline_amount,
        pre_amount / pre_days * coalesce(control_post_growth, 1) * post_days as post_baseline_amount
    from measured
)

select
    estimated.scheme_code,
    schemes.scheme_name,
    schemes.scheme_type,
    estimated.start_date,
    estimated.end_date,
    schemes.distributor_codes,
    distributors.running_distributors,
    distributors.control_distributors,
    estimated.observed_days,
    estimated.pre_days,
    estimated.post_days,
    pre_window_schemes.pre_window_schemes,
    round(estimated.pre_amount, 2) as pre_amount,
    round(estimated.during_amount, 2) as during_amount,
    round(estimated.post_amount, 2) as post_amount,
    round(estimated.control_pre_amount, 2) as control_pre_amount,
    round(estimated.control_during_amount, 2) as control_during_amount,
    round(estimated.control_post_amount, 2) as control_post_amount,
    round(estimated.control_growth, 4) as control_growth,
    round(estimated.baseline_amount, 2) as baseline_amount,
    round(estimated.during_amount - estimated.baseline_amount, 2) as incremental_amount,
    round(estimated.post_baseline_amount, 2) as post_baseline_amount,
    round(estimated.post_amount - estimated.post_baseline_amount, 2) as post_dip_amount,
    round(100 * (estimated.post_amount - estimated.post_baseline_amount) / nullif(estimated.post_baseline_amount, 0), 2)
        as post_dip_pct,
    round(estimated.earned_discount_amount, 2) as earned_discount_amount,
    estimated.earned_free_units::bigint as earned_free_units,
    round(estimated.free_goods_cost_amount, 2) as free_goods_cost_amount,
    round(estimated.cost_amount, 2) as cost_amount,
    round((estimated.during_amount - estimated.baseline_amount - estimated.cost_amount)
        / nullif(estimated.cost_amount, 0), 4) as roi,
    round((estimated.during_amount - estimated.baseline_amount + estimated.post_amount
        - estimated.post_baseline_amount - estimated.cost_amount) / nullif(estimated.cost_amount, 0), 4)
        as roi_after_dip,
    round(coalesce(claims.earned_amount, 0), 2) as earned_amount,
    round(coalesce(claims.claimed_amount, 0), 2) as claimed_amount,
    round(coalesce(claims.leakage_amount, 0), 2) as leakage_amount
from estimated
inner join schemes using (scheme_code)
left join distributors using (scheme_code)
left join pre_window_schemes using (scheme_code)
left join claims using (scheme_code)
