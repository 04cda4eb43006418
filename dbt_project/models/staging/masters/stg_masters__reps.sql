-- The latest snapshot of the brand's reps master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_reps'), 'masters_reps') }}
)
select
    _load_id as load_id,
    rep_code,
    rep_name,
    distributor_code,
    {{ mask_phone('phone') }} as phone_masked
from snapshot
