-- The sales geography down to the beat: national > zone > region > state > district > town > beat,
-- with the distributor and rep serving each beat. District falls back to the town (the masters carry no
-- district yet).
with beats as (
    select * from {{ ref('stg_masters__beats') }}
),

distributors as (
    select * from {{ ref('dim_distributor') }}
),

reps as (
    select * from {{ ref('stg_masters__reps') }}
),

beat_state as (
    select beat_code, any_value(state) as state
    from {{ ref('stg_masters__outlets') }}
    group by beat_code
)

select
    beats.beat_code,
    beats.beat_name,
    'India' as country,
    distributors.zone,
    distributors.region,
    coalesce(beat_state.state, distributors.state) as state,
    beats.town as district,
    beats.town,
    beats.distributor_code,
    distributors.distributor_name,
    beats.rep_code,
    reps.rep_name,
    beats.visit_weekday
from beats
left join distributors on distributors.distributor_code = beats.distributor_code
left join reps on reps.rep_code = beats.rep_code
left join beat_state on beat_state.beat_code = beats.beat_code
