-- Retail outlets with their beat, rep, distributor and geography: national > zone > region > state >
-- distributor > beat > outlet.
with outlets as (
    select * from {{ ref('stg_masters__outlets') }}
),

beats as (
    select * from {{ ref('stg_masters__beats') }}
),

reps as (
    select * from {{ ref('stg_masters__reps') }}
),

distributors as (
    select * from {{ ref('dim_distributor') }}
)

select
    outlets.outlet_code,
    outlets.outlet_name,
    outlets.channel,
    outlets.outlet_class,
    outlets.distributor_code,
    distributors.distributor_name,
    outlets.party_code,
    outlets.beat_code,
    beats.beat_name,
    beats.rep_code,
    reps.rep_name,
    distributors.zone,
    distributors.region,
    outlets.state,
    outlets.town,
    outlets.latitude,
    outlets.longitude,
    outlets.gstin is not null as has_gstin
from outlets
left join beats on beats.beat_code = outlets.beat_code
left join reps on reps.rep_code = beats.rep_code
left join distributors on distributors.distributor_code = outlets.distributor_code
