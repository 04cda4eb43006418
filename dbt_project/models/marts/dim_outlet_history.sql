-- Outlet history (SCD type 2) from the outlet snapshot: one row per version of an outlet's distributor, beat and
-- other placement attributes, with valid_from / valid_to (null while current) and is_current. A sale on date d
-- belongs to the version whose [valid_from, valid_to) holds it. `master_received_at` is when the master file
-- that introduced the version was received (the business time of the change; valid_from is when it was seen).
with versions as (
    select * from {{ ref('snp_masters__outlets') }}
),

loads as (
    select load_id, received_at from {{ ref('stg_ingest__loads') }}
)

select
    versions.outlet_version_key,
    versions.outlet_code,
    versions.outlet_name,
    versions.distributor_code,
    versions.party_code,
    versions.channel,
    versions.outlet_class,
    versions.beat_code,
    versions.town,
    versions.state,
    versions.valid_from,
    versions.valid_to,
    versions.valid_to is null as is_current,
    versions.load_id as introduced_by_load_id,
    loads.received_at as master_received_at
from versions
left join loads on loads.load_id = versions.load_id
