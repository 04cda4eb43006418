-- One row per current ERP line: what the brand billed (or credited) its distributors.
with lines as (
    select * from {{ ref('int_primary_sales__current') }}
)

select
    md5(concat_ws('|', load_id, coalesce(sheet, ''), row_number::varchar)) as primary_line_key,
    doc_type,
    doc_number,
    doc_date,
    delivery_date,
    distributor_code,
    sku_code,
    quantity_units,
    case when doc_type = 'credit_note' then -quantity_units else quantity_units end as signed_quantity_units,
    rate,
    net_amount,
    case when doc_type = 'credit_note' then -net_amount else net_amount end as signed_net_amount,
    load_id as _load_id,
    source_file as _source_file,
    row_number as _row_number
from lines
