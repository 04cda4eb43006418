-- Outlet placements in business time, from every committed outlets master snapshot (not only the latest): one row
-- per version of an outlet's placement (the snapshot's check columns: distributor, beat, party code, channel,
-- class, town, state), in force on [effective_from, effective_to). A snapshot counts from its business date (the
-- date in its file name, else the day it was received; of two snapshots with one business date the later received).
-- An outlet's first version is in force from 1900-01-01, its last has no end (also once it left the master: its
-- sales keep its last placement). Unlike the dbt snapshot behind dim_outlet_history, which sees the latest master
-- of each build only, every snapshot loaded counts, so a full build places a sale as the nightly builds did.
-- A table: every incremental fact's dimension fingerprint reads it several times a run.
{{ config(materialized='table') }}

with snapshots as (
    select
        load_id,
        {{ master_business_date('file_name', 'received_at') }} as business_date
    from {{ ref('stg_ingest__loads') }}
    where status = 'loaded' and {{ list_has('tables_written', "'masters_outlets'") }}
    qualify row_number() over (
        partition by {{ master_business_date('file_name', 'received_at') }} order by received_at desc, load_id desc
    ) = 1
),

placements as (
    select
        outlets.outlet_code,
        outlets.distributor_code,
        outlets.beat_code,
        outlets.party_code,
        outlets.channel,
        outlets.outlet_class,
        outlets.town,
        outlets.state,
        snapshots.business_date,
        snapshots.load_id
    from {{ source('masters', 'masters_outlets') }} as outlets
    inner join snapshots on snapshots.load_id = outlets._load_id
),

changes as (
    select
        *,
        {{ row_of('distributor_code, beat_code, party_code, channel, outlet_class, town, state') }} is distinct from lag(
            {{ row_of('distributor_code, beat_code, party_code, channel, outlet_class, town, state') }}
        ) over (partition by outlet_code order by business_date) as is_new_version
    from placements
),

versions as (
    select
        *,
        case
            when row_number() over (partition by outlet_code order by business_date) = 1 then date '1900-01-01'
            else business_date
        end as effective_from
    from changes
    where is_new_version
)

select
    outlet_code,
    distributor_code,
    beat_code,
    party_code,
    channel,
    outlet_class,
    town,
    state,
    effective_from,
    lead(effective_from) over (partition by outlet_code order by effective_from) as effective_to,
    load_id as introduced_by_load_id
from versions
