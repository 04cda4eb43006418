-- Net secondary sales per week (Monday) x distributor x beat (on the invoice date) x master outlet: the heatmap's
-- cells (dash_geo_weekly) and the outlets behind a cell. Incremental by week_start.
-- On Spark partitioned by week_start: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('week_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'week_start', 'align': 'week', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

select
    date_trunc('week', invoice_date)::date as week_start,
    distributor_code,
    beat_code,
    master_outlet_id,
    zone,
    region,
    state,
    sum(signed_net_amount) as net_amount,
    sum(signed_quantity_units) as net_units,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from {{ ref('fct_secondary_sales') }}
where {{ in_incremental_window('invoice_date') }}
group by all
