-- The underperformance heatmap: net secondary sales per geography (geo_level zone, region, state, distributor,
-- beat) and complete week (Monday to Sunday, ending on or before the as-of date), against the mean of the same
-- geography's four weeks before (weeks without sales count as 0):
--   growth_pct = 100 * (net_amount - baseline_amount) / baseline_amount   (null without four weeks before)
-- target_amount and growth_vs_target_pct are the hook for sales targets (null until a targets mart exists).
-- Rebuilt whole each night from dash_outlet_weekly (a few rows per outlet and week). Sums are DECIMAL(18, 2):
-- a mean of four weeks of doubles summed in another order can land either side of a cent (x.xx25 rounds either
-- way), so a sensor's run and a full build would publish different cents.
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

weekly as (
    select outlet_weeks.*
    from {{ ref('dash_outlet_weekly') }} as outlet_weeks, as_of
    where outlet_weeks.week_start + 6 <= as_of.as_of_date
),

levels as (
    select week_start, 'zone' as geo_level, zone as geo_value, zone, null as region, null as state,
        null as distributor_code, net_amount
    from weekly
    union all
    select week_start, 'region', region, zone, region, null, null, net_amount from weekly
    union all
    select week_start, 'state', state, zone, region, state, null, net_amount from weekly
    union all
    select week_start, 'distributor', distributor_code, zone, region, state, distributor_code, net_amount from weekly
    union all
    -- sales whose outlet (so beat) is not known: one row per distributor, so every geography has one parent
    select week_start, 'beat', coalesce(beat_code, distributor_code || ' (no beat)'), zone, region, state,
        distributor_code, net_amount
    from weekly
),

sums as (
    select
        geo_level,
        coalesce(geo_value, '(unknown)') as geo_value,
        week_start,
        any_value(zone) as zone,
        any_value(region) as region,
        any_value(state) as state,
        any_value(distributor_code) as distributor_code,
        sum(net_amount::decimal(18, 2)) as net_amount
    from levels
    group by all
),

weeks as (
    select {{ days_between('min(week_start)', 'max(week_start)', 7) }} as week_start
    from weekly
),

geographies as (
    select
        geo_level,
        geo_value,
        any_value(zone) as zone,
        any_value(region) as region,
        any_value(state) as state,
        any_value(distributor_code) as distributor_code,
        min(week_start) as first_week
    from sums
    group by all
),

filled as (
    select
        geographies.geo_level,
        geographies.geo_value,
        geographies.zone,
        geographies.region,
        geographies.state,
        geographies.distributor_code,
        weeks.week_start,
        coalesce(sums.net_amount, 0::decimal(18, 2)) as net_amount
    from geographies
    inner join weeks on weeks.week_start >= geographies.first_week
    left join sums
        on sums.geo_level = geographies.geo_level
        and sums.geo_value = geographies.geo_value
        and sums.week_start = weeks.week_start
),

baselined as (
    select
        *,
        avg(net_amount) over previous_weeks as baseline_mean,
        count(*) over previous_weeks as baseline_weeks
    from filled
    window previous_weeks as (
        partition by geo_level, geo_value order by week_start rows between 4 preceding and 1 preceding
    )
)

select
    baselined.geo_level,
    baselined.geo_value,
    case baselined.geo_level
        when 'distributor' then coalesce(distributors.distributor_name, baselined.geo_value)
        when 'beat' then coalesce(beats.beat_name, baselined.geo_value)
        else baselined.geo_value
    end as geo_label,
    baselined.zone,
    baselined.region,
    baselined.state,
    baselined.distributor_code,
    baselined.week_start,
    baselined.net_amount::double as net_amount,
    case when baselined.baseline_weeks = 4 then round(baselined.baseline_mean, 2)::double end as baseline_amount,
    case when baselined.baseline_weeks = 4 and baselined.baseline_mean > 0
        then round(100.0 * (baselined.net_amount - baselined.baseline_mean) / baselined.baseline_mean, 1)::double
    end as growth_pct,
    null::double as target_amount,
    null::double as growth_vs_target_pct
from baselined
left join {{ ref('dim_distributor') }} as distributors
    on baselined.geo_level = 'distributor' and distributors.distributor_code = baselined.geo_value
left join {{ ref('dim_geography') }} as beats
    on baselined.geo_level = 'beat' and beats.beat_code = baselined.geo_value
