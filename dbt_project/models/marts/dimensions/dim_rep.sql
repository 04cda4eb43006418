-- Sales representatives with their distributor, geography and the beats they cover.
with reps as (
    select * from {{ ref('stg_masters__reps') }}
),

beats as (
    select rep_code, count(*) as beats, {{ sorted_list('beat_code') }} as beat_codes
    from {{ ref('stg_masters__beats') }}
    group by rep_code
)

select
    reps.rep_code,
    reps.rep_name,
    reps.distributor_code,
    distributors.distributor_name,
    distributors.zone,
    distributors.region,
    distributors.state,
    coalesce(beats.beats, 0) as beats,
    beats.beat_codes
from reps
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = reps.distributor_code
left join beats on beats.rep_code = reps.rep_code
