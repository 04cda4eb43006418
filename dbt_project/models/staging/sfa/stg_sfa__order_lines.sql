-- Field-app order lines from committed loads.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('sfa', 'sfa_order_lines') }}",
) }}
select
    o._load_id as load_id,
    o._row_number as row_number,
    o._source_file as source_file,
    o.distributor_code,
    o.client_order_id,
    o.line_number,
    o.visit_id,
    o.rep_code,
    o.outlet_code,
    o.item_raw,
    o.sku_code,
    o.quantity_units,
    o.device_time,
    o.server_time,
    o.order_date,
    o.delivery_date
from {{ landed_loads('sfa', 'sfa_order_lines') }} as o
where o._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
