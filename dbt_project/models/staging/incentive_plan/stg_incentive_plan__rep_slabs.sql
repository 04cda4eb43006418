-- Achievement slabs of each rep plan (keyed by the plan's effective_from): a slab runs from its from_pct to the next
-- slab's; at from_pct it pays payout_pct of the target incentive, plus rate points per achievement point above.
select
    effective_from,
    slab_number,
    from_pct,
    lead(from_pct) over (partition by effective_from order by from_pct) as to_pct,
    payout_pct,
    rate
from {{ source('derived', 'incentive_rep_slabs') }}
