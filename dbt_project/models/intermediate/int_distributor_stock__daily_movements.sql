-- Every movement of a distributor's stock, per distributor x SKU x day, in pieces:
-- receipts (ERP invoices on their delivery date), sales to retailers (billed + free), retailers' returns,
-- and goods sent back to the brand (ERP credit notes).
-- A table, incremental by movement_date (macros/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ incremental_window_prepare(['distributor_sales', 'tally_daybook', 'primary_sales'], 'movement_date') }}",
) }}

with primary_lines as (
    select * from {{ ref('int_primary_sales__current') }}
    where {{ in_incremental_window('coalesce(delivery_date, doc_date)') }}
),

secondary_lines as (
    select * from {{ ref('int_secondary_sales__current') }}
    where {{ in_incremental_window('invoice_date') }}
),

movements as (
    select
        distributor_code,
        sku_code,
        delivery_date as movement_date,
        quantity_units as receipts_units,
        0 as sales_units,
        0 as market_returns_units,
        0 as returns_to_brand_units
    from primary_lines
    where doc_type = 'invoice' and delivery_date is not null

    union all

    select distributor_code, sku_code, doc_date, 0, 0, 0, quantity_units
    from primary_lines
    where doc_type = 'credit_note'

    union all

    select
        distributor_code,
        sku_code,
        invoice_date,
        0,
        case when line_type = 'sale' then quantity_units + coalesce(free_units, 0) else 0 end,
        case when line_type = 'return' then quantity_units else 0 end,
        0
    from secondary_lines
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
where {{ in_incremental_window('movement_date') }}
group by distributor_code, sku_code, movement_date
