-- Every review decision, one row per review kind x distributor x name key (the latest decision wins):
-- confirmed SKU aliases, confirmed outlet aliases, and ignored names.
-- Cells that begin like a spreadsheet formula are stored escaped (ingest/core/cell_safety.py): unescaped here.
with decisions as (
    select 'sku' as review_kind, distributor_code, {{ unescape_cell('alias') }} as name,
        {{ unescape_cell('sku_code') }} as resolved_to, 'confirmed' as decision, null as note,
        {{ unescape_cell('decided_by') }} as decided_by, decided_at
    from {{ source('reviews', 'sku_aliases') }}
    union all
    select 'outlet', distributor_code, {{ unescape_cell('alias') }}, {{ unescape_cell('outlet_code') }}, 'confirmed',
        null, {{ unescape_cell('decided_by') }}, decided_at
    from {{ source('reviews', 'outlet_aliases') }}
    union all
    select review_kind, distributor_code, {{ unescape_cell('name') }}, null, 'ignored', {{ unescape_cell('note') }},
        {{ unescape_cell('decided_by') }}, decided_at
    from {{ source('reviews', 'ignored') }}
),

ranked as (
    select
        review_kind,
        distributor_code,
        {{ review_name_key('name') }} as name_key,
        name,
        resolved_to,
        decision,
        note,
        decided_by,
        try_cast(decided_at as timestamp) as decided_at,
        row_number() over (
            partition by review_kind, distributor_code, {{ review_name_key('name') }}
            order by decision = 'confirmed' desc, decided_at desc
        ) as decision_rank
    from decisions
)

select review_kind, distributor_code, name_key, name, resolved_to, decision, note, decided_by, decided_at
from ranked
where decision_rank = 1
