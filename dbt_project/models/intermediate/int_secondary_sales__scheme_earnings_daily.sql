-- What the schemes' rules earned per invoice date x scheme x distributor x SKU (int_secondary_sales__scheme_earnings
-- summed): the cost side of fct_scheme_roi (earned discounts, earned free pieces) and the distributors that ran
-- each scheme (a line that earned), without reading every line under a scheme each night.
--   earned_free_units = per line min(floor(quantity / min_units) * the rule's free pieces, free pieces given)
--                       (free_goods)
-- Incremental by invoice_date like the fact (macros/incremental/incremental_window.sql); a new masters snapshot (the
-- schemes' rules) rebuilds it whole.
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
    scheme_code,
    distributor_code,
    sku_code,
    scheme_type,
    sum(earned_amount) as earned_amount,
    sum(
        case
            when scheme_type = 'free_goods'
                then least(floor(quantity_units / nullif(min_units, 0)) * scheme_free_units, free_units)
        end
    ) as earned_free_units,
    count(*) filter (where earned_amount > 0) as earning_lines,
    count(*) as lines,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from {{ ref('int_secondary_sales__scheme_earnings') }}
where {{ in_incremental_window('invoice_date') }}
group by invoice_date, scheme_code, distributor_code, sku_code, scheme_type
