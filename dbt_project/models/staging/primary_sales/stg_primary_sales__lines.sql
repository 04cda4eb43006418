-- The brand's ERP lines (invoices to distributors and their credit notes) from committed loads.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('primary_sales', 'primary_sales') }}",
) }}
select
    p._load_id as load_id,
    p._source_file as source_file,
    p._sheet as sheet,
    p._row_number as row_number,
    p.doc_type,
    p.doc_number,
    p.doc_date,
    p.delivery_date,
    p.distributor_code,
    p.sku_code,
    p.quantity_units,
    p.rate,
    p.net_amount
from {{ landed_loads('primary_sales', 'primary_sales') }} as p
where p._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
