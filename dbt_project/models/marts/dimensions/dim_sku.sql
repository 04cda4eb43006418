-- The brand's SKUs: brand > category > SKU.
select
    sku_code,
    sku_name,
    brand,
    category,
    pack_size,
    units_per_case,
    mrp,
    ean
from {{ ref('stg_masters__skus') }}
