-- Invoice-based secondary-sales lines that marts see, from every source that bills: distributors' sales files
-- and Tally Day Books (sales vouchers and credit notes). The latest file wins for every distributor and day it
-- covers (supersession per source kind). Where a distributor's sales file covers a day (the day is inside the
-- file's period), the file wins that day over its Tally Day Book. `rate` is per piece: a rate written per the
-- line's unit (80.00/Number, 200.00/KG, 456.00/Box) is divided by the pieces one unit is; null when the unit
-- could not be converted (quantity_flag). gross_amount is quantity x rate in the unit written.
with files as (
    {{ current_rows(ref('stg_distributor_sales__lines'), 'invoice_date') }}
),

tally as (
    {{ current_rows(ref('stg_tally_daybook__voucher_lines'), 'voucher_date') }}
)

select
    load_id,
    source_file,
    sheet,
    row_number,
    'distributor_file' as origin,
    distributor_code,
    invoice_number,
    invoice_date,
    line_type,
    party_code,
    party_name,
    item_raw,
    sku_code,
    quantity,
    unit,
    quantity_units,
    free_units,
    quantity_flag,
    case when unit is null then rate else rate * quantity / nullif(quantity_units, 0) end as rate,
    gross_amount,
    discount_amount,
    net_amount,
    salesman,
    beat
from files

union all

select
    tally.load_id,
    tally.source_file,
    tally.sheet,
    tally.row_number,
    'tally' as origin,
    tally.distributor_code,
    tally.voucher_number,
    tally.voucher_date,
    tally.line_type,
    null as party_code,
    tally.party_name,
    tally.item_raw,
    tally.sku_code,
    tally.quantity,
    tally.unit,
    tally.quantity_units,
    tally.free_units,
    tally.quantity_flag,
    tally.rate * tally.quantity / nullif(tally.quantity_units, 0) as rate,
    tally.quantity * tally.rate as gross_amount,
    0 as discount_amount,
    tally.amount as net_amount,
    null as salesman,
    null as beat
from tally
where tally.line_type in ('sale', 'return')
  and not {{ sales_file_covers('tally.distributor_code', 'tally.voucher_date') }}
