-- The latest snapshot of the brand's sku_aliases master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_sku_aliases'), 'masters_sku_aliases') }}
)
select
    _load_id as load_id,
    distributor_code,
    alias,
    sku_code
from snapshot
