-- Loyalty slabs of each retailer programme (keyed by its effective_from): a slab runs from its from_amount to the
-- next slab's and pays payout_pct of the month's purchases.
select
    effective_from,
    slab_number,
    from_amount,
    lead(from_amount) over (partition by effective_from order by from_amount) as to_amount,
    payout_pct
from {{ source('derived', 'incentive_retailer_slabs') }}
