-- Modern-trade POS sell-out lines from committed loads, one row per line read (superseded or not).
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('pos_sales', 'pos_sales') }}",
) }}
select
    p._load_id as load_id,
    p._source_file as source_file,
    p._sheet as sheet,
    p._row_number as row_number,
    p.chain_code,
    p.store_code,
    p.outlet_code,
    p.ean,
    p.product_code,
    p.sku_code,
    p.item_raw,
    p.sale_date,
    p.date_grain,
    p.units,
    p.sales_value
from {{ landed_loads('pos_sales', 'pos_sales') }} as p
where p._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
