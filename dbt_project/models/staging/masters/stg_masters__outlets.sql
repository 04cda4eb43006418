-- The latest snapshot of the brand's outlets master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_outlets'), 'masters_outlets') }}
)
select
    _load_id as load_id,
    outlet_code,
    outlet_name,
    distributor_code,
    party_code,
    channel,
    outlet_class,
    beat_code,
    town,
    state,
    latitude,
    longitude,
    gstin,
    {{ mask_phone('phone') }} as phone_masked
from snapshot
