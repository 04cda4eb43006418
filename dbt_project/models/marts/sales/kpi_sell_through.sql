-- Sell-through per distributor x SKU x stock-statement period, free goods apart:
--   sell_through_rate      = secondary_sales_units / (opening_units + receipts_units)
--                            (every piece that left for retailers, billed and free: the share of the stock available
--                            in the period that reached retailers)
--   paid_sell_through_rate = secondary_billed_units / (opening_units + receipts_units)
--                            (the pieces retailers paid for; a scheme's free goods move stock without a sale)
--   secondary_billed_units = secondary_sales_units - secondary_free_units
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
    recon.secondary_sales_units - recon.secondary_free_units as secondary_billed_units,
    recon.secondary_free_units,
    recon.opening_units + recon.receipts_units as available_units,
    round(recon.secondary_sales_units / nullif(recon.opening_units + recon.receipts_units, 0), 4)
        as sell_through_rate,
    round(
        (recon.secondary_sales_units - recon.secondary_free_units) / nullif(recon.opening_units + recon.receipts_units, 0),
        4
    ) as paid_sell_through_rate
from {{ ref('fct_distributor_stock_reconciliation') }} as recon
