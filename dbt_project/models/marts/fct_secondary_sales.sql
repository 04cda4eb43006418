-- One row per current distributor invoice (or return) line: what the distributor sold through to retailers.
with lines as (
    select * from {{ ref('int_secondary_sales__resolved') }}
)

select
    md5(concat_ws('|', load_id, coalesce(sheet, ''), row_number::varchar)) as sales_line_key,
    invoice_date,
    distributor_code,
    invoice_number,
    line_type,
    outlet_code,
    outlet_match,
    party_code,
    party_name,
    item_raw,
    sku_code,
    quantity_units,
    coalesce(free_units, 0) as free_units,
    case when line_type = 'return' then -quantity_units else quantity_units end as signed_quantity_units,
    rate,
    gross_amount,
    coalesce(discount_amount, 0) as discount_amount,
    net_amount,
    case when line_type = 'return' then -net_amount else net_amount end as signed_net_amount,
    salesman,
    beat,
    load_id as _load_id,
    source_file as _source_file,
    sheet as _sheet,
    row_number as _row_number
from lines
