-- Weekly net units per distributor against its own four weeks before:
--   change_pct = 100 * (week's units - baseline) / baseline, baseline = mean of the 4 weeks before
--   two_week_change_pct = the same for the mean of this week and the next
--   is_dip: a sustained sudden drop: two_week_change_pct <= -var(sales_dip_pct) with both weeks complete and a
--   full 4-week baseline (one bad week of a small distributor is noise, not a dip)
-- "The weeks before" and "the next" are the distributor's rows (weeks with sales), not calendar weeks.
-- Incremental by week_start (macros/incremental/incremental_window.sql), equal to a full build: a night recomputes from the
-- first week its files touch, and also from each changed distributor's last week before it (its next week may
-- have changed) and, when the as-of date moved, from the weeks less than 13 days before the earlier of the old
-- and new as-of dates (is_complete_week, is_dip). The weeks kept are read back from the table: the last four
-- before the window are the baselines of the first weeks rebuilt.
-- On Spark partitioned by week_start: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('week_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'week_start', 'align': 'week', 'fingerprint': 'distributor_dims', 'lookback': {'previous_row_by': 'distributor_code', 'as_of_days': 13}}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with rebuilt_weeks as (
    select
        distributor_code,
        date_trunc('week', invoice_date)::date as week_start,
        sum(signed_quantity_units) as net_units,
        sum(signed_net_amount) as net_sales_amount,
        count(distinct invoice_date) as days_with_sales
    from {{ ref('fct_secondary_sales') }}
    where {{ in_incremental_window('invoice_date') }}
    group by all
),

weekly as (
    select * from rebuilt_weeks
    {%- if is_incremental() %}
    union all
    -- each distributor's last four weeks before the window, as built: nothing before the window changed
    select distributor_code, week_start, net_units, net_sales_amount, days_with_sales
    from {{ this }}
    where week_start < {{ incremental_window_from() }}
    qualify row_number() over (partition by distributor_code order by week_start desc) <= 4
    {%- endif %}
),

trended as (
    select
        *,
        avg(net_units) over (
            partition by distributor_code order by week_start rows between 4 preceding and 1 preceding
        ) as baseline_units,
        count(*) over (
            partition by distributor_code order by week_start rows between 4 preceding and 1 preceding
        ) as baseline_weeks,
        lead(net_units) over (partition by distributor_code order by week_start) as next_week_units,
        lead(week_start) over (partition by distributor_code order by week_start) as next_week_start
    from weekly
)

select
    trended.distributor_code,
    trended.week_start,
    distributors.zone,
    distributors.region,
    distributors.state,
    trended.net_units,
    trended.net_sales_amount,
    trended.days_with_sales,
    trended.week_start + 6 <= as_of.as_of_date as is_complete_week,
    round(trended.baseline_units, 1) as baseline_units,
    round(100.0 * (trended.net_units - trended.baseline_units) / nullif(trended.baseline_units, 0), 1)
        as change_pct,
    round(
        100.0 * ((trended.net_units + trended.next_week_units) / 2.0 - trended.baseline_units)
        / nullif(trended.baseline_units, 0),
        1
    ) as two_week_change_pct,
    coalesce(
        trended.baseline_weeks = 4
        and trended.next_week_start = trended.week_start + 7
        and trended.week_start + 13 <= as_of.as_of_date
        and 100.0 * ((trended.net_units + trended.next_week_units) / 2.0 - trended.baseline_units)
        / nullif(trended.baseline_units, 0) <= -{{ var('sales_dip_pct') }},
        false
    ) as is_dip,
    as_of.as_of_date as _as_of_date,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('distributor_dims') }} as _dims_fingerprint
from trended
cross join {{ ref('int_calendar__as_of') }} as as_of
left join {{ ref('dim_distributor') }} as distributors using (distributor_code)
where {{ in_incremental_window('trended.week_start') }}
