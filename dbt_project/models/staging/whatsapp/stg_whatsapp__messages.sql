-- WhatsApp messages from committed loads (for message counts and chat activity; orders are in order_lines).
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('whatsapp', 'whatsapp_messages') }}",
) }}
select
    m._load_id as load_id,
    m._row_number as row_number,
    m.distributor_code,
    m.chat_name,
    m.message_ts,
    m.author_key,
    m.is_system,
    m.system_kind,
    m.is_media,
    m.is_edited,
    m.year_inferred
from {{ landed_loads('whatsapp', 'whatsapp_messages') }} as m
where m._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
