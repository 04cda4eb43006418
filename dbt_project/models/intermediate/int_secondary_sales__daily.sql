-- Net secondary sales per invoice date x distributor x SKU: fct_secondary_sales summed to the grain the scheme
-- ROI's pre, during and post windows and its control compare (fct_scheme_roi), and the pieces sold (billed and
-- free, sale lines only) the forecast fits (sellthrough/forecast/warehouse_inputs.py), so those read a few hundred
-- thousand rows a year instead of every line.
-- Incremental by invoice_date like the fact (macros/incremental/incremental_window.sql): a night rebuilds the dates
-- its files touch.
-- On Spark partitioned by invoice_date: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('invoice_date'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'invoice_date', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

select
    invoice_date,
    distributor_code,
    sku_code,
    sum(signed_net_amount) as net_amount,
    sum(signed_quantity_units) as net_units,
    sum(case when line_type = 'sale' then coalesce(quantity_units, 0) + coalesce(free_units, 0) end) as sold_units,
    count(*) as lines,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from {{ ref('fct_secondary_sales') }}
where {{ in_incremental_window('invoice_date') }}
group by invoice_date, distributor_code, sku_code
