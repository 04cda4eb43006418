-- The latest snapshot of the chain stores master: a chain's store code -> the brand's outlet.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_chain_stores'), 'masters_chain_stores') }}
)
select
    _load_id as load_id,
    chain_code,
    store_code,
    outlet_code
from snapshot
