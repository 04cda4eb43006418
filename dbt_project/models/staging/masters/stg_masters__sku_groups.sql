-- The latest snapshot of the brand's SKU groups master: named sets of SKUs (focus SKUs, new launches, ...) that
-- targets and the incentive plans refer to by name.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_sku_groups'), 'masters_sku_groups') }}
)
select
    _load_id as load_id,
    sku_group,
    sku_code
from snapshot
