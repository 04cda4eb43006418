-- A scheme's eligible SKUs one per row, with the scheme's rules: what the models that put sale lines under schemes
-- join on sku_code (a hash join; a list-membership join compares every line with every scheme). A SKU listed twice
-- in a scheme is one row.
select distinct
    scheme_code,
    sku_code,
    scheme_type,
    start_date,
    end_date,
    distributor_codes,
    min_units,
    discount_pct,
    free_units
from (
    select *, {{ list_items('sku_codes') }} as sku_code
    from {{ ref('stg_masters__schemes') }}
) as items
