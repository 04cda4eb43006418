-- Distributors' reported monthly stock, one row per distributor x SKU x period per load.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('stock_statement', 'stock_statement') }}",
) }}
select
    s._load_id as load_id,
    s._source_file as source_file,
    s._sheet as sheet,
    s._row_number as row_number,
    s.distributor_code,
    s.period_start,
    s.period_end,
    s.item_raw,
    s.sku_code,
    s.opening_units,
    s.receipts_units,
    s.sales_units,
    s.closing_units
from {{ landed_loads('stock_statement', 'stock_statement') }} as s
where s._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
