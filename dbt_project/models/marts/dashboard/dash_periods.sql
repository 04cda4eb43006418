-- The dashboard's reporting periods as of the last business day (int_calendar__as_of), one row each:
--   mtd   month to date: the as-of month's first day to the as-of date; previous: the same days of the month
--         before (to the as-of date minus one month, clamped to that month's end); last year: the same days a
--         year before
--   l4w   last 4 weeks: the 28 days to the as-of date; previous: the 28 days before; last year: the 28 days
--         ending 364 days before (52 weeks: the same weekdays)
--   fytd  fiscal year to date (April to March): April 1st to the as-of date; previous = last year: the same
--         days of the fiscal year before
-- A comparison is shown only where history allows: has_* is false when the comparison window starts before the
-- first day the source has data for (a partial window would read as a fall).
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

history as (
    select
        (select min(invoice_date) from {{ ref('fct_secondary_sales') }}) as secondary_history_from,
        (select min(doc_date) from {{ ref('fct_primary_sales') }}) as primary_history_from,
        (select min(stock_date) from {{ ref('fct_distributor_stock_daily') }}) as stock_history_from
),

bounds as (
    select
        as_of_date,
        date_trunc('month', as_of_date)::date as month_from,
        make_date(year(as_of_date) - case when month(as_of_date) < 4 then 1 else 0 end, 4, 1) as fiscal_year_from
    from as_of
),

windows as (
    select
        'mtd' as period,
        'Month to date' as period_label,
        1 as sort_order,
        month_from as start_date,
        as_of_date as end_date,
        (month_from - interval 1 month)::date as previous_start,
        (as_of_date - interval 1 month)::date as previous_end,
        (month_from - interval 1 year)::date as last_year_start,
        (as_of_date - interval 1 year)::date as last_year_end
    from bounds
    union all
    select
        'l4w', 'Last 4 weeks', 2,
        as_of_date - 27, as_of_date,
        as_of_date - 55, as_of_date - 28,
        as_of_date - 27 - 364, as_of_date - 364
    from bounds
    union all
    select
        'fytd', 'Fiscal year to date', 3,
        fiscal_year_from, as_of_date,
        (fiscal_year_from - interval 1 year)::date, (as_of_date - interval 1 year)::date,
        (fiscal_year_from - interval 1 year)::date, (as_of_date - interval 1 year)::date
    from bounds
)

select
    windows.period,
    windows.period_label,
    windows.sort_order,
    bounds.as_of_date,
    windows.start_date,
    windows.end_date,
    windows.previous_start,
    windows.previous_end,
    windows.last_year_start,
    windows.last_year_end,
    history.secondary_history_from,
    history.primary_history_from,
    history.stock_history_from,
    coalesce(windows.previous_start >= history.secondary_history_from, false) as has_previous_secondary,
    coalesce(windows.last_year_start >= history.secondary_history_from, false) as has_last_year_secondary,
    coalesce(windows.previous_start >= history.primary_history_from, false) as has_previous_primary,
    coalesce(windows.last_year_start >= history.primary_history_from, false) as has_last_year_primary,
    coalesce(windows.previous_end >= history.stock_history_from, false) as has_previous_stock,
    coalesce(windows.last_year_end >= history.stock_history_from, false) as has_last_year_stock
from windows
cross join bounds
cross join history
