-- Sell-through per distributor x SKU x stock-statement period:
--   sell_through_rate = secondary_sales_units / (opening_units + receipts_units)
-- (the share of the stock available in the period that reached retailers).
select
    recon.distributor_code,
    recon.sku_code,
    recon.period_start,
    recon.period_end,
    recon.zone,
    recon.region,
    recon.state,
    recon.brand,
    recon.category,
    recon.opening_units,
    recon.receipts_units,
    recon.secondary_sales_units,
    recon.opening_units + recon.receipts_units as available_units,
    round(recon.secondary_sales_units / nullif(recon.opening_units + recon.receipts_units, 0), 4)
        as sell_through_rate
from {{ ref('fct_distributor_stock_reconciliation') }} as recon
