-- Net secondary sales per month x outlet x SKU, and the month's first sale date, summed from fct_secondary_sales:
-- what the retailer programme pays on (fct_retailer_incentive: a month's purchases, its focus SKUs', the launch SKUs
-- an outlet bought for the first time), so it reads outlets x SKUs x months instead of every line.
-- The outlet is the master outlet (duplicate registrations once), else the brand's outlet code; lines with neither
-- are not an outlet's purchases and are left out.
-- Incremental by month (macros/incremental/incremental_window.sql, align month): a night rebuilds the months its
-- files touch. On Spark partitioned by month_start.
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
    coalesce(master_outlet_id, outlet_code) as outlet_id,
    sku_code,
    sum(signed_net_amount) as net_amount,
    min(case when line_type = 'sale' then invoice_date end) as first_sale_date,
    count(*) as lines,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from {{ ref('fct_secondary_sales') }}
where {{ in_incremental_window('invoice_date') }}
  and coalesce(master_outlet_id, outlet_code) is not null
group by date_trunc('month', invoice_date)::date, coalesce(master_outlet_id, outlet_code), sku_code
