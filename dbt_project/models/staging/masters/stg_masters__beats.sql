-- The latest snapshot of the brand's beats master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_beats'), 'masters_beats') }}
)
select
    _load_id as load_id,
    beat_code,
    beat_name,
    distributor_code,
    rep_code,
    town,
    visit_weekday
from snapshot
