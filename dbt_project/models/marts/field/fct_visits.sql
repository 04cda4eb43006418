-- One row per field-app visit (a rep's call on an outlet), each visit once whatever its re-syncs, with the
-- order lines taken on it and two flags (flagged, never dropped):
--   distance_m         = great-circle distance (haversine, earth radius 6,371,008.8 m) from the check-in GPS to the
--                        outlet master's GPS; null when either is missing
--   is_far_from_outlet = distance_m > var(sfa_max_visit_distance_m)
--   clock_skew_minutes = |device_time - server_time| in minutes
--   is_clock_skewed    = clock_skew_minutes > var(sfa_max_clock_skew_minutes)
--   is_productive      = at least one order line on the visit, or the app's own productive flag
-- Keyed for drill-down: zone > region > state (of the distributor) > distributor > beat > outlet. The beat is the
-- outlet's on the visit date (int_outlets__versions, business time); master_outlet_id and the outlet's GPS are the
-- current master's.
with visits as (
    select * from {{ ref('int_sfa__visits_current') }}
),

placements as (
    select outlet_code, beat_code, effective_from, effective_to from {{ ref('int_outlets__versions') }}
),

lines as (
    select distributor_code, visit_id, count(*) as lines_ordered, sum(quantity_units) as units_ordered
    from {{ ref('int_sfa__order_lines_current') }}
    where visit_id is not null
    group by distributor_code, visit_id
),

measured as (
    select
        visits.*,
        outlets.master_outlet_id,
        placements.beat_code,
        distributors.zone,
        distributors.region,
        distributors.state,
        outlets.latitude as outlet_latitude,
        outlets.longitude as outlet_longitude,
        2 * 6371008.8 * asin(sqrt(
            pow(sin(radians(outlets.latitude - visits.latitude) / 2), 2)
            + cos(radians(visits.latitude)) * cos(radians(outlets.latitude))
            * pow(sin(radians(outlets.longitude - visits.longitude) / 2), 2)
        )) as distance_m,
        abs({{ epoch_seconds('visits.device_time') }} - {{ epoch_seconds('visits.server_time') }}) / 60.0 as clock_skew_minutes,
        coalesce(lines.lines_ordered, 0) as lines_ordered,
        coalesce(lines.units_ordered, 0) as units_ordered
    from visits
    left join lines using (distributor_code, visit_id)
    left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = visits.outlet_code
    left join placements on {{ placement_in_force('visits.outlet_code', 'visits.visit_date') }}
    left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = visits.distributor_code
)

select
    md5(concat_ws('|', distributor_code, visit_id)) as visit_key,
    distributor_code,
    zone,
    region,
    state,
    visit_id,
    visit_date,
    date_trunc('month', visit_date)::date as month_start,
    rep_code,
    beat_code,
    outlet_code,
    master_outlet_id,
    device_time,
    server_time,
    latitude,
    longitude,
    outlet_latitude,
    outlet_longitude,
    round(distance_m, 1) as distance_m,
    coalesce(distance_m > {{ var('sfa_max_visit_distance_m') }}, false) as is_far_from_outlet,
    round(clock_skew_minutes, 1) as clock_skew_minutes,
    clock_skew_minutes > {{ var('sfa_max_clock_skew_minutes') }} as is_clock_skewed,
    lines_ordered,
    units_ordered,
    app_productive_flag,
    lines_ordered > 0 or coalesce(app_productive_flag, false) as is_productive,
    source_file,
    load_id as _load_id
from measured
