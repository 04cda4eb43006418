-- Order lines extracted from WhatsApp messages, from committed loads. No phone number is carried here.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('whatsapp', 'whatsapp_order_lines') }}",
) }}
select
    o._load_id as load_id,
    o._row_number as row_number,
    o.distributor_code,
    o.chat_name,
    o.message_ts,
    o.message_ts::date as order_date,
    o.author_key,
    o.order_id,
    o.line_number_in_message,
    o.outlet_code,
    o.outlet_text,
    o.sku_code,
    o.item_text,
    o.quantity_units,
    o.unit_text,
    o.confidence,
    o.needs_review,
    o.review_subject,
    o.status,
    o.raw_text
from {{ landed_loads('whatsapp', 'whatsapp_order_lines') }} as o
where o._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
