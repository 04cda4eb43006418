-- Net sales per geography and month against the previous month, at every level of the geography
-- (geo_level national, zone, region, state, distributor). Incremental by month:
--   growth_pct = 100 * (net_sales_amount - previous_net_sales_amount) / previous_net_sales_amount
-- On Spark partitioned by month_start: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('month_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'secondary_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with sales as (
    select
        date_trunc('month', invoice_date)::date as month_start,
        zone,
        region,
        state,
        distributor_code,
        signed_net_amount,
        signed_quantity_units
    from {{ ref('fct_secondary_sales') }}
    -- the month before the window too: its total is this month's "previous"
    where invoice_date >= {{ incremental_window_from() }} - interval 1 month
),

levels as (
    select month_start, 'national' as geo_level, 'India' as geo_value, signed_net_amount, signed_quantity_units
    from sales
    union all
    select month_start, 'zone', zone, signed_net_amount, signed_quantity_units from sales
    union all
    select month_start, 'region', region, signed_net_amount, signed_quantity_units from sales
    union all
    select month_start, 'state', state, signed_net_amount, signed_quantity_units from sales
    union all
    select month_start, 'distributor', distributor_code, signed_net_amount, signed_quantity_units from sales
),

monthly as (
    select
        geo_level,
        geo_value,
        month_start,
        sum(signed_net_amount) as net_sales_amount,
        sum(signed_quantity_units) as net_units
    from levels
    group by all
)

select
    monthly.*,
    previous.net_sales_amount as previous_net_sales_amount,
    round(
        100.0 * (monthly.net_sales_amount - previous.net_sales_amount) / nullif(previous.net_sales_amount, 0), 2
    ) as growth_pct,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('secondary_sales_dims') }} as _dims_fingerprint
from monthly
left join monthly as previous
    on previous.geo_level = monthly.geo_level
    and previous.geo_value = monthly.geo_value
    and previous.month_start = monthly.month_start - interval 1 month
where monthly.month_start >= {{ incremental_window_from() }}
