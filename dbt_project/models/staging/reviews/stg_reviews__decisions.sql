-- Every review decision, one row per review kind x distributor x name key (the latest decision wins):
-- confirmed SKU aliases, confirmed outlet aliases, and ignored names.
with decisions as (
    select 'sku' as review_kind, distributor_code, alias as name, sku_code as resolved_to, 'confirmed' as decision,
        null as note, decided_by, decided_at
    from {{ source('reviews', 'sku_aliases') }}
    union all
    select 'outlet', distributor_code, alias, outlet_code, 'confirmed', null, decided_by, decided_at
    from {{ source('reviews', 'outlet_aliases') }}
    union all
    select review_kind, distributor_code, name, null, 'ignored', note, decided_by, decided_at
    from {{ source('reviews', 'ignored') }}
)

select
    review_kind,
    distributor_code,
    {{ review_name_key('name') }} as name_key,
    name,
    resolved_to,
    decision,
    note,
    decided_by,
    try_cast(decided_at as timestamp) as decided_at
from decisions
qualify row_number() over (
    partition by review_kind, distributor_code, {{ review_name_key('name') }}
    order by decision = 'confirmed' desc, decided_at desc
) = 1
