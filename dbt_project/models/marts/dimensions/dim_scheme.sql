-- Trade schemes with their rules: quantity slab, percentage discount or free goods, eligible SKUs, period, and the
-- distributors that run it (empty: every distributor).
select
    scheme_code,
    scheme_name,
    scheme_type,
    sku_codes,
    {{ list_length('sku_codes') }} as eligible_skus,
    start_date,
    end_date,
    {{ days_diff('start_date', 'end_date') }} + 1 as days,
    min_units,
    discount_pct,
    free_units,
    distributor_codes
from {{ ref('stg_masters__schemes') }}
