-- Retail outlets with their master outlet id (duplicates share one), beat, rep, distributor, geography,
-- retailer validation flags and recency of purchase.
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
),

purchases as (
    select outlet_code, min(invoice_date) as first_purchase_date, max(invoice_date) as last_purchase_date
    from {{ ref('int_secondary_sales__resolved') }}
    where line_type = 'sale' and outlet_code is not null
    group by outlet_code
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
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
    coalesce(flags.phone_invalid, false) as phone_invalid,
    purchases.first_purchase_date,
    purchases.last_purchase_date,
    datediff('day', purchases.last_purchase_date, as_of.as_of_date) as days_since_last_purchase,
    coalesce(datediff('day', purchases.last_purchase_date, as_of.as_of_date), 1000000)
        >= {{ var('dormant_outlet_days') }} as is_dormant,
    coalesce(flags.gstin_invalid, false)
        or coalesce(flags.gps_impossible, false)
        or coalesce(datediff('day', purchases.last_purchase_date, as_of.as_of_date), 1000000)
        >= {{ var('dormant_outlet_days') }} as needs_field_check
from outlets
cross join as_of
left join beats on beats.beat_code = outlets.beat_code
left join reps on reps.rep_code = beats.rep_code
left join distributors on distributors.distributor_code = outlets.distributor_code
left join clusters on clusters.outlet_code = outlets.outlet_code
left join flags on flags.outlet_code = outlets.outlet_code
left join purchases on purchases.outlet_code = outlets.outlet_code
