{{ config(materialized="view") }}
-- Every return of goods: retailers' returns to their distributor (market returns, from the sales files) and
-- distributors' returns to the brand (ERP credit notes). Quantities in pieces, positive.
select
    'market_return' as return_kind,
    invoice_date as return_date,
    distributor_code,
    outlet_code,
    master_outlet_id,
    beat_code,
    channel,
    outlet_class,
    zone,
    region,
    state,
    sku_code,
    brand,
    category,
    invoice_number as document_number,
    quantity_units,
    net_amount,
    sales_line_key as source_line_key
from {{ ref('fct_secondary_sales') }}
where line_type = 'return'

union all

select
    'return_to_brand',
    doc_date,
    distributor_code,
    null,
    null,
    null,
    null,
    null,
    zone,
    region,
    state,
    sku_code,
    brand,
    category,
    doc_number,
    quantity_units,
    net_amount,
    primary_line_key
from {{ ref('fct_primary_sales') }}
where doc_type = 'credit_note'
