-- Retailer shelf stock from committed loads (field-app shelf counts, modern-trade store inventory): one row per
-- outlet x SKU x day counted, per load; superseded or not (int_retailer_stock__current keeps the latest).
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('retailer_stock', 'retailer_stock_lines') }}",
) }}
select
    s._load_id as load_id,
    s._source_file as source_file,
    s._sheet as sheet,
    s._row_number as row_number,
    s.sender_code,
    s.count_source,
    s.distributor_code,
    s.outlet_code,
    s.store_code,
    s.rep_code,
    s.count_date,
    s.item_raw,
    s.sku_code,
    s.stock_units
from {{ landed_loads('retailer_stock', 'retailer_stock_lines') }} as s
where s._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
