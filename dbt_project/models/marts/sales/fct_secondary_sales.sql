-- One row per current distributor invoice (or return) line: what the distributor sold through to retailers,
-- keyed for drill-down: zone > region > state > distributor > beat > outlet and brand > category > SKU. The beat
-- is the outlet's on the invoice date (int_outlets__versions, business time), and so are the retailer's category
-- (channel GT/MT/ECOM and outlet_class A/B/C); master_outlet_id is today's.
-- Incremental by invoice_date (macros/incremental/incremental_window.sql): a night rebuilds only the dates its files touch.
-- On Spark partitioned by invoice_date: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('invoice_date'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'invoice_date', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with lines as (
    select * from {{ ref('int_secondary_sales__resolved') }}
    where {{ in_incremental_window('invoice_date') }}
),

outlets as (
    select outlet_code, master_outlet_id from {{ ref('dim_outlet') }}
),

placements as (
    select outlet_code, beat_code, channel, outlet_class, effective_from, effective_to
    from {{ ref('int_outlets__versions') }}
),

distributors as (
    select distributor_code, zone, region, state from {{ ref('dim_distributor') }}
),

skus as (
    select sku_code, brand, category from {{ ref('dim_sku') }}
)

select
    md5(concat_ws('|', lines.load_id, coalesce(lines.sheet, ''), cast(lines.row_number as {{ dbt.type_string() }}))) as sales_line_key,
    lines.invoice_date,
    lines.origin,
    lines.distributor_code,
    lines.invoice_number,
    lines.line_type,
    lines.outlet_code,
    outlets.master_outlet_id,
    lines.outlet_match,
    lines.party_code,
    lines.party_name,
    placements.beat_code,
    placements.channel,
    placements.outlet_class,
    distributors.zone,
    distributors.region,
    distributors.state,
    lines.item_raw,
    lines.sku_code,
    skus.brand,
    skus.category,
    lines.quantity_units,
    lines.quantity,
    lines.unit,
    lines.quantity_flag,
    coalesce(lines.free_units, 0) as free_units,
    case when lines.line_type = 'return' then -lines.quantity_units else lines.quantity_units end
        as signed_quantity_units,
    lines.rate,
    lines.gross_amount,
    coalesce(lines.discount_amount, 0) as discount_amount,
    lines.net_amount,
    case when lines.line_type = 'return' then -lines.net_amount else lines.net_amount end as signed_net_amount,
    lines.salesman,
    lines.beat as beat_raw,
    lines.load_id as _load_id,
    lines.source_file as _source_file,
    lines.sheet as _sheet,
    lines.row_number as _row_number,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from lines
left join outlets on outlets.outlet_code = lines.outlet_code
left join placements on {{ placement_in_force('lines.outlet_code', 'lines.invoice_date') }}
left join distributors on distributors.distributor_code = lines.distributor_code
left join skus on skus.sku_code = lines.sku_code
