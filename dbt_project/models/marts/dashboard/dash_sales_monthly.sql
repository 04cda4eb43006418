-- Net secondary sales per month x distributor x beat (on the invoice date) x master outlet x SKU: the complete
-- months of the dashboard's fiscal-year-to-date figures (dash_sales_periods) and its monthly trends.
-- Incremental by month (macros/incremental/incremental_window.sql): a night rebuilds the months its files touch.
-- On Spark partitioned by month_start: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('month_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

select
    date_trunc('month', invoice_date)::date as month_start,
    distributor_code,
    beat_code,
    master_outlet_id,
    sku_code,
    zone,
    region,
    state,
    brand,
    category,
    sum(signed_net_amount) as net_amount,
    sum(signed_quantity_units) as net_units,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from {{ ref('fct_secondary_sales') }}
where {{ in_incremental_window('invoice_date') }}
group by all
