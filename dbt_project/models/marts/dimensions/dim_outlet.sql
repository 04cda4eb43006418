-- Retail outlets with their master outlet id (duplicates share one), beat, rep, distributor, geography,
-- and retailer validation flags (purchase recency is in kpi_non_performing_outlets).
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
),

clusters as (
    select * from {{ ref('stg_outlet_master__clusters') }}
),

flags as (
    select * from {{ ref('stg_outlet_master__flags') }}
)


select
    outlets.outlet_code,
    coalesce(clusters.master_outlet_id, outlets.outlet_code) as master_outlet_id,
    coalesce(clusters.is_golden, true) as is_golden,
    coalesce(clusters.cluster_size, 1) > 1 as has_duplicates,
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
    outlets.town as district,
    outlets.town,
    outlets.latitude,
    outlets.longitude,
    outlets.gstin is not null as has_gstin,
    coalesce(flags.gstin_invalid, false) as gstin_invalid,
    coalesce(flags.gps_impossible, false) as gps_impossible,
    coalesce(flags.phone_invalid, false) as phone_invalid
from outlets
left join beats on beats.beat_code = outlets.beat_code
left join reps on reps.rep_code = beats.rep_code
left join distributors on distributors.distributor_code = outlets.distributor_code
left join clusters on clusters.outlet_code = outlets.outlet_code
left join flags on flags.outlet_code = outlets.outlet_code
