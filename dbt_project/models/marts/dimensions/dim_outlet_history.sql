-- Outlet history (SCD type 2) from the outlet snapshot: one row per version of an outlet's distributor, beat and
-- other placement attributes, with valid_from / valid_to (null while current) and is_current. valid_from is when
-- the warehouse saw the version (snapshot build time); `master_received_at` is when the master file that introduced
-- it was received. In business time the version is in force on [effective_from, effective_to): effective_from is
-- the business date of that master file (the date in its name, outlets_2026-08-01.csv, else the day received),
-- 1900-01-01 for an outlet's first version; effective_to is the next version's effective_from (null for the last).
-- The facts place a sale on its date by int_outlets__versions, the same rule over every snapshot loaded (this
-- history misses a version when two outlet snapshots are loaded in one build).
with versions as (
    select * from {{ ref('snp_masters__outlets') }}
),

loads as (
    select
        load_id,
        received_at,
        {{ master_business_date('file_name', 'received_at') }} as business_date
    from {{ ref('stg_ingest__loads') }}
),

dated as (
    select
        versions.*,
        loads.received_at as master_received_at,
        case
            when row_number() over (partition by versions.outlet_code order by versions.valid_from) = 1
                then date '1900-01-01'
            else loads.business_date
        end as effective_from
    from versions
    left join loads on loads.load_id = versions.load_id
)

select
    outlet_version_key,
    outlet_code,
    outlet_name,
    distributor_code,
    party_code,
    channel,
    outlet_class,
    beat_code,
    town,
    state,
    valid_from,
    valid_to,
    valid_to is null as is_current,
    effective_from,
    lead(effective_from) over (partition by outlet_code order by valid_from) as effective_to,
    load_id as introduced_by_load_id,
    master_received_at
from dated
