-- Per reporting period (dash_periods) x distributor: primary sales (the brand's ERP, net of credit notes, by
-- document date), secondary sales (dash_sales_periods), closing stock on the window's last day (summed over
-- SKUs, fct_distributor_stock_daily), scheme sell-through, earnings, claims and leakage (fct_scheme_redemption,
-- by claim month: the months the window touches), each for the period, the previous period and last year.
--   primary_to_secondary_units_ratio = primary_units / secondary_units (above 1: the brand bills more than the
--   distributor sells through, stock builds up: channel stuffing)
-- Days of cover and the overstock flag are as of the last business day (kpi_distributor_overstock).
with periods as (
    select * from {{ ref('dash_periods') }}
),

secondary as (
    select
        period,
        distributor_code,
        sum(net_amount) as secondary_amount,
        sum(net_units) as secondary_units,
        sum(previous_net_amount) as previous_secondary_amount,
        sum(previous_net_units) as previous_secondary_units,
        sum(last_year_net_amount) as last_year_secondary_amount,
        sum(last_year_net_units) as last_year_secondary_units
    from {{ ref('dash_sales_periods') }}
    group by all
),

primary_sales as (
    select
        periods.period,
        erp.distributor_code,
        sum(erp.signed_net_amount) filter (where erp.doc_date between periods.start_date and periods.end_date)
            as primary_amount,
        sum(erp.signed_quantity_units) filter (where erp.doc_date between periods.start_date and periods.end_date)
            as primary_units,
        sum(erp.signed_net_amount) filter (
            where erp.doc_date between periods.previous_start and periods.previous_end
        ) as previous_primary_amount,
        sum(erp.signed_quantity_units) filter (
            where erp.doc_date between periods.previous_start and periods.previous_end
        ) as previous_primary_units,
        sum(erp.signed_net_amount) filter (
            where erp.doc_date between periods.last_year_start and periods.last_year_end
        ) as last_year_primary_amount,
        sum(erp.signed_quantity_units) filter (
            where erp.doc_date between periods.last_year_start and periods.last_year_end
        ) as last_year_primary_units
    from {{ ref('fct_primary_sales') }} as erp
    cross join periods
    where erp.doc_date >= (select min(least(previous_start, last_year_start)) from periods)
    group by all
),

stock as (
    select
        periods.period,
        daily.distributor_code,
        sum(daily.closing_units) filter (where daily.stock_date = periods.end_date) as closing_units,
        sum(daily.closing_units) filter (where daily.stock_date = periods.previous_end) as previous_closing_units,
        sum(daily.closing_units) filter (where daily.stock_date = periods.last_year_end) as last_year_closing_units
    from {{ ref('fct_distributor_stock_daily') }} as daily
    inner join periods
        on daily.stock_date in (periods.end_date, periods.previous_end, periods.last_year_end)
    group by all
),

schemes as (
    select
        periods.period,
        redemption.distributor_code,
        sum(redemption.sell_through_amount) filter (
            where redemption.claim_month between date_trunc('month', periods.start_date) and periods.end_date
        ) as scheme_sell_through_amount,
        sum(redemption.earned_amount) filter (
            where redemption.claim_month between date_trunc('month', periods.start_date) and periods.end_date
        ) as scheme_earned_amount,
        sum(redemption.claimed_amount) filter (
            where redemption.claim_month between date_trunc('month', periods.start_date) and periods.end_date
        ) as scheme_claimed_amount,
        sum(redemption.leakage_amount) filter (
            where redemption.claim_month between date_trunc('month', periods.start_date) and periods.end_date
        ) as scheme_leakage_amount,
        sum(redemption.claimed_amount) filter (
            where redemption.claim_month between date_trunc('month', periods.previous_start) and periods.previous_end
        ) as previous_scheme_claimed_amount,
        sum(redemption.claimed_amount) filter (
            where redemption.claim_month
                between date_trunc('month', periods.last_year_start) and periods.last_year_end
        ) as last_year_scheme_claimed_amount
    from {{ ref('fct_scheme_redemption') }} as redemption
    cross join periods
    group by all
)

select
    periods.period,
    distributors.distributor_code,
    distributors.distributor_name,
    distributors.zone,
    distributors.region,
    distributors.state,
    coalesce(primary_sales.primary_amount, 0) as primary_amount,
    coalesce(primary_sales.primary_units, 0) as primary_units,
    coalesce(primary_sales.previous_primary_amount, 0) as previous_primary_amount,
    coalesce(primary_sales.previous_primary_units, 0) as previous_primary_units,
    coalesce(primary_sales.last_year_primary_amount, 0) as last_year_primary_amount,
    coalesce(primary_sales.last_year_primary_units, 0) as last_year_primary_units,
    coalesce(secondary.secondary_amount, 0) as secondary_amount,
    coalesce(secondary.secondary_units, 0) as secondary_units,
    coalesce(secondary.previous_secondary_amount, 0) as previous_secondary_amount,
    coalesce(secondary.previous_secondary_units, 0) as previous_secondary_units,
    coalesce(secondary.last_year_secondary_amount, 0) as last_year_secondary_amount,
    coalesce(secondary.last_year_secondary_units, 0) as last_year_secondary_units,
    round(
        coalesce(primary_sales.primary_units, 0) / nullif(coalesce(secondary.secondary_units, 0), 0), 3
    ) as primary_to_secondary_units_ratio,
    round(
        coalesce(primary_sales.previous_primary_units, 0) / nullif(coalesce(secondary.previous_secondary_units, 0), 0),
        3
    ) as previous_primary_to_secondary_units_ratio,
    stock.closing_units,
    stock.previous_closing_units,
    stock.last_year_closing_units,
    overstock.days_of_cover,
    coalesce(overstock.is_overstocked, false) as is_overstocked,
    coalesce(schemes.scheme_sell_through_amount, 0) as scheme_sell_through_amount,
    coalesce(schemes.scheme_earned_amount, 0) as scheme_earned_amount,
    coalesce(schemes.scheme_claimed_amount, 0) as scheme_claimed_amount,
    coalesce(schemes.scheme_leakage_amount, 0) as scheme_leakage_amount,
    coalesce(schemes.previous_scheme_claimed_amount, 0) as previous_scheme_claimed_amount,
    coalesce(schemes.last_year_scheme_claimed_amount, 0) as last_year_scheme_claimed_amount
from periods
cross join {{ ref('dim_distributor') }} as distributors
left join secondary
    on secondary.period = periods.period and secondary.distributor_code = distributors.distributor_code
left join primary_sales
    on primary_sales.period = periods.period and primary_sales.distributor_code = distributors.distributor_code
left join stock on stock.period = periods.period and stock.distributor_code = distributors.distributor_code
left join schemes on schemes.period = periods.period and schemes.distributor_code = distributors.distributor_code
left join {{ ref('kpi_distributor_overstock') }} as overstock
    on overstock.distributor_code = distributors.distributor_code
