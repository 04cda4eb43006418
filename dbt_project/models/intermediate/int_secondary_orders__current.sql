-- Retailers' orders from every order source, one shape: WhatsApp (the latest export winning for the days it
-- covers) and the field app (origin field_app; each client order once, from its latest sync). Orders stay
-- orders: they feed fill rate, and sell-through only where a distributor sends no invoices. delivery_date: the day
-- the outlet wants the order (field-app orders booked ahead: modern-trade POs, pre-sold beats), null for the same day.
with whatsapp as (
    {{ current_rows(ref('stg_whatsapp__order_lines'), 'order_date') }}
),

field_app as (
    select * from {{ ref('int_sfa__order_lines_current') }}
)

select
    'whatsapp' as origin,
    load_id,
    distributor_code,
    order_id,
    line_number_in_message as order_line_number,
    order_date,
    cast(null as date) as delivery_date,
    message_ts as ordered_at,
    author_key,
    cast(null as {{ dbt.type_string() }}) as rep_code,
    outlet_code,
    outlet_text,
    sku_code,
    item_text,
    quantity_units,
    confidence,
    needs_review,
    status,
    raw_text
from whatsapp

union all

select
    'field_app' as origin,
    load_id,
    distributor_code,
    client_order_id as order_id,
    line_number as order_line_number,
    order_date,
    delivery_date,
    device_time as ordered_at,
    cast(null as {{ dbt.type_string() }}) as author_key,
    rep_code,
    outlet_code,
    cast(null as {{ dbt.type_string() }}) as outlet_text,
    sku_code,
    item_raw as item_text,
    quantity_units,
    1.0::double as confidence,
    false as needs_review,
    'open' as status,
    cast(null as {{ dbt.type_string() }}) as raw_text
from field_app
