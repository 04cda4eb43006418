-- The latest snapshot of the brand's distributors master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_distributors'), 'masters_distributors') }}
)
select
    _load_id as load_id,
    distributor_code,
    distributor_name,
    tier,
    parent_distributor_code,
    zone,
    region,
    state,
    town,
    sales_file_cadence
from snapshot
