-- Every movement of a distributor's stock, per distributor x SKU x day, in pieces:
-- receipts (ERP invoices on their delivery date), sales to retailers (billed + free; free_units, the free part, is
-- also apart), retailers' returns, and goods sent back to the brand (ERP credit notes).
-- A view: its readers (fct_distributor_stock_daily, fct_distributor_stock_reconciliation) filter movement_date
-- with a date literal their window gives, which reaches the scans of the current lines below. Nothing is stored
-- twice: a table here cost a write of every distributor x SKU x day on each full build (bench/README.md).
--
-- The sums of the current lines: int_secondary_sales__current (sales files and Tally Day Books, supersession
-- applied, a distributor's sales file winning the days it covers over its Tally) and int_primary_sales__current
-- (ERP documents, superseded by document date).
with secondary as (
    select
        distributor_code,
        sku_code,
        invoice_date as movement_date,
        sum(case when line_type = 'sale' then quantity_units + coalesce(free_units, 0) else 0 end) as sales_units,
        sum(case when line_type = 'sale' then coalesce(free_units, 0) else 0 end) as free_units,
        sum(case when line_type = 'return' then quantity_units else 0 end) as market_returns_units
    from {{ ref('int_secondary_sales__current') }}
    group by distributor_code, sku_code, invoice_date
),

-- ERP supersession is by document date (int_primary_sales__current); receipts move on the delivery date
primary_documents as (
    select
        distributor_code,
        sku_code,
        case when doc_type = 'invoice' then delivery_date else doc_date end as movement_date,
        sum(case when doc_type = 'invoice' then quantity_units else 0 end) as receipts_units,
        sum(case when doc_type = 'credit_note' then quantity_units else 0 end) as returns_to_brand_units
    from {{ ref('int_primary_sales__current') }}
    where doc_type = 'credit_note' or (doc_type = 'invoice' and delivery_date is not null)
    group by all
),

movements as (
    select distributor_code, sku_code, movement_date, 0 as receipts_units, sales_units, free_units,
        market_returns_units, 0 as returns_to_brand_units
    from secondary
    union all
    select distributor_code, sku_code, movement_date, receipts_units, 0, 0, 0, returns_to_brand_units
    from primary_documents
)

select
    distributor_code,
    sku_code,
    movement_date,
    sum(receipts_units)::bigint as receipts_units,
    sum(sales_units)::bigint as sales_units,
    sum(free_units)::bigint as free_units,
    sum(market_returns_units)::bigint as market_returns_units,
    sum(returns_to_brand_units)::bigint as returns_to_brand_units
from movements
group by distributor_code, sku_code, movement_date
