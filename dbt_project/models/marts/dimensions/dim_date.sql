-- One row per day: Indian fiscal year (April to March), fiscal quarter and month, weeks, festivals.
with days as (
    select {{ days_between("date '" ~ var('calendar_start') ~ "'", "date '" ~ var('calendar_end') ~ "'") }} as date_day
),

festivals as (
    select festival_name, festival_date from {{ ref('festivals') }}
),

next_festival as (
    select
        days.date_day,
        min(festivals.festival_date) as next_festival_date
    from days
    inner join festivals
        on festivals.festival_date between days.date_day
        and days.date_day + {{ var('festival_season_days') }}
    group by days.date_day
)

select
    days.date_day,
    extract(year from days.date_day)::integer as calendar_year,
    extract(month from days.date_day)::integer as calendar_month,
    date_trunc('month', days.date_day)::date as month_start,
    date_trunc('week', days.date_day)::date as week_start,
    {{ iso_weekday('days.date_day') }}::integer as iso_day_of_week,
    {{ day_name('days.date_day') }} as day_name,
    {{ iso_weekday('days.date_day') }} = 7 as is_sunday,
    case when extract(month from days.date_day) >= 4
        then extract(year from days.date_day) else extract(year from days.date_day) - 1 end::integer
        as fiscal_year_start,
    'FY' || (case when extract(month from days.date_day) >= 4
        then extract(year from days.date_day) else extract(year from days.date_day) - 1 end)::{{ dbt.type_string() }}
        || '-' || right(((case when extract(month from days.date_day) >= 4
        then extract(year from days.date_day) else extract(year from days.date_day) - 1 end) + 1)::{{ dbt.type_string() }}, 2)
        as fiscal_year,
    ((extract(month from days.date_day)::integer + 8) % 12) + 1 as fiscal_month,
    {{ int_div('((extract(month from days.date_day)::integer + 8) % 12)', 3) }} + 1 as fiscal_quarter,
    festival_day.festival_name,
    festival_day.festival_name is not null as is_festival_day,
    next_festival.next_festival_date is not null as is_festival_season,
    next_festival.next_festival_date
from days
left join festivals as festival_day on festival_day.festival_date = days.date_day
left join next_festival on next_festival.date_day = days.date_day
