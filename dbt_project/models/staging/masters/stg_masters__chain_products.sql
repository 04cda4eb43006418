-- The latest snapshot of the chain products master: a chain's own product code -> the brand's SKU (POS files
-- without EANs map their codes through it).
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_chain_products'), 'masters_chain_products') }}
)
select
    _load_id as load_id,
    chain_code,
    product_code,
    sku_code
from snapshot
