-- The brand's SKU groups (focus SKUs, new launches, ...): one row per group x SKU, with the SKU's brand and
-- category. Targets and the incentive plans refer to groups by name.
select
    groups.sku_group,
    groups.sku_code,
    skus.sku_name,
    skus.brand,
    skus.category
from {{ ref('stg_masters__sku_groups') }} as groups
left join {{ ref('dim_sku') }} as skus on skus.sku_code = groups.sku_code
