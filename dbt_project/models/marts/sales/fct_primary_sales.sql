-- One row per current ERP line: what the brand billed (or credited) its distributors, keyed for drill-down:
-- zone > region > state > distributor and brand > category > SKU.
-- Incremental by doc_date (macros/incremental/incremental_window.sql): a night rebuilds the document dates its ERP files
-- cover, from the first one (a late or re-sent file pulls the window back to its period); a change of the
-- copied keys (distributor_sku_dims) rebuilds it whole.
-- On Spark partitioned by doc_date: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('doc_date'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['primary_sales'], 'date_column': 'doc_date', 'fingerprint': 'distributor_sku_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with lines as (
    select * from {{ ref('int_primary_sales__current') }}
    where {{ in_incremental_window('doc_date') }}
),

distributors as (
    select distributor_code, zone, region, state from {{ ref('dim_distributor') }}
),

skus as (
    select sku_code, brand, category from {{ ref('dim_sku') }}
)

select
    md5(concat_ws('|', lines.load_id, coalesce(lines.sheet, ''), cast(lines.row_number as {{ dbt.type_string() }}))) as primary_line_key,
    lines.doc_type,
    lines.doc_number,
    lines.doc_date,
    lines.delivery_date,
    lines.distributor_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    lines.sku_code,
    skus.brand,
    skus.category,
    lines.quantity_units,
    case when lines.doc_type = 'credit_note' then -lines.quantity_units else lines.quantity_units end
        as signed_quantity_units,
    lines.rate,
    lines.net_amount,
    case when lines.doc_type = 'credit_note' then -lines.net_amount else lines.net_amount end as signed_net_amount,
    lines.load_id as _load_id,
    lines.source_file as _source_file,
    lines.row_number as _row_number,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('distributor_sku_dims') }} as _dims_fingerprint
from lines
left join distributors on distributors.distributor_code = lines.distributor_code
left join skus on skus.sku_code = lines.sku_code
