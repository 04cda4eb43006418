-- The latest snapshot of the brand's skus master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_skus'), 'masters_skus') }}
)
select
    _load_id as load_id,
    sku_code,
    sku_name,
    brand,
    category,
    pack_size,
    units_per_case,
    mrp,
    ean
from snapshot
