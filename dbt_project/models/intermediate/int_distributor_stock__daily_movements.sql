-- Every movement of a distributor's stock, per distributor x SKU x day, in pieces:
-- receipts (ERP invoices on their delivery date), sales to retailers (billed + free), retailers' returns,
-- and goods sent back to the brand (ERP credit notes).
-- A table, incremental by movement_date (macros/incremental_window.sql).
--
-- Lines are summed per load x distributor x SKU x day BEFORE supersession is applied: a superseded load-day
-- drops whole, so applying it to the sums gives the rows of int_secondary_sales__current /
-- int_primary_sales__current summed, at a fraction of the work (tens of millions of lines become the load-day
-- sums). The rules are theirs: the later load of a kind, distributor and stream wins the days it covers; a
-- distributor's sales file wins the days it covers over its Tally Day Book (tests/test_stock_reconciliation.py checks the
-- sums agree with the row-level models).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook', 'primary_sales'], 'date_column': 'movement_date'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with secondary_lines as (
    select 'file' as origin, load_id, distributor_code, sku_code, invoice_date as movement_date, line_type,
        quantity_units, free_units
    from {{ ref('stg_distributor_sales__lines') }}
    where {{ in_incremental_window('invoice_date') }}
    union all
    select 'tally', load_id, distributor_code, sku_code, voucher_date, line_type, quantity_units, free_units
    from {{ ref('stg_tally_daybook__voucher_lines') }}
    where line_type in ('sale', 'return') and {{ in_incremental_window('voucher_date') }}
),

secondary_sums as (
    select
        origin,
        load_id,
        distributor_code,
        sku_code,
        movement_date,
        sum(case when line_type = 'sale' then quantity_units + coalesce(free_units, 0) else 0 end) as sales_units,
        sum(case when line_type = 'return' then quantity_units else 0 end) as market_returns_units
    from secondary_lines
    group by all
),

primary_sums as (
    select
        load_id,
        distributor_code,
        sku_code,
        case when doc_type = 'invoice' then delivery_date else doc_date end as movement_date,
        doc_date,
        sum(case when doc_type = 'invoice' then quantity_units else 0 end) as receipts_units,
        sum(case when doc_type = 'credit_note' then quantity_units else 0 end) as returns_to_brand_units
    from {{ ref('stg_primary_sales__lines') }}
    where (doc_type = 'credit_note' or (doc_type = 'invoice' and delivery_date is not null))
      and {{ in_incremental_window("case when doc_type = 'invoice' then delivery_date else doc_date end") }}
    group by all
),

current_secondary as (
    select * from secondary_sums as sums
    where {{ not_superseded('sums.load_id', 'sums.movement_date') }}
      and (sums.origin = 'file' or not {{ sales_file_covers('sums.distributor_code', 'sums.movement_date') }})
),

-- ERP supersession is by document date (int_primary_sales__current); receipts move on the delivery date
current_primary as (
    select * from primary_sums as sums
    where {{ not_superseded('sums.load_id', 'sums.doc_date') }}
),

movements as (
    select distributor_code, sku_code, movement_date, 0 as receipts_units, sales_units, market_returns_units,
        0 as returns_to_brand_units
    from current_secondary
    union all
    select distributor_code, sku_code, movement_date, receipts_units, 0, 0, returns_to_brand_units
    from current_primary
)

select
    distributor_code,
    sku_code,
    movement_date,
    sum(receipts_units)::bigint as receipts_units,
    sum(sales_units)::bigint as sales_units,
    sum(market_returns_units)::bigint as market_returns_units,
    sum(returns_to_brand_units)::bigint as returns_to_brand_units,
    {{ built_through() }} as _built_through
from movements
group by distributor_code, sku_code, movement_date
