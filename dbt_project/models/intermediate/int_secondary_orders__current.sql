-- Retailers' orders from every order source (WhatsApp today; field-app orders join here), the latest export
-- winning for the days it covers. Orders stay orders: they feed fill rate, and sell-through only where a
-- distributor sends no invoices.
with whatsapp as (
    {{ current_rows(ref('stg_whatsapp__order_lines'), 'order_date') }}
)

select
    'whatsapp' as origin,
    load_id,
    distributor_code,
    order_id,
    line_number_in_message as order_line_number,
    order_date,
    message_ts as ordered_at,
    author_key,
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
