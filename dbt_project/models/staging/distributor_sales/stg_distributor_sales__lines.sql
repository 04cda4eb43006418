-- Distributor invoice and return lines from committed loads, one row per line read.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('distributor_sales', 'secondary_sales') }}",
) }}
select
    s._load_id as load_id,
    s._source_file as source_file,
    s._sheet as sheet,
    s._row_number as row_number,
    s.distributor_code,
    s.invoice_number,
    s.invoice_date,
    s.line_type,
    s.party_code,
    s.party_name,
    s.item_raw,
    s.sku_code,
    s.quantity,
    s.unit,
    s.quantity_units,
    s.free_units,
    s.quantity_flag,
    s.rate,
    s.gross_amount,
    s.discount_amount,
    s.net_amount,
    s.salesman,
    s.beat
from {{ landed_loads('distributor_sales', 'secondary_sales') }} as s
where s._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
