-- Numeric and weighted distribution per brand x month at geo_level national, zone, region, state and distributor
-- (macros/rules/distribution.sql):
--   numeric_distribution = outlets that bought any SKU of the brand / outlets that bought anything in the month
--   weighted_distribution = sales value, in the brand's categories, of the outlets that bought the brand / sales
--   value in those categories of all outlets (the brand's categories: those its SKUs sold in the geography and month)
-- On Spark partitioned by month_start: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('month_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'secondary_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

{{ distribution_by(['brand']) }}
