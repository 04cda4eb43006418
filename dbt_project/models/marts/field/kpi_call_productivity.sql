-- Call productivity per distributor x rep x beat x month, from fct_visits (every visit counts, flagged or not):
--   calls                     = visits
--   productive_calls          = visits with an order line (or the app's productive flag)
--   productive_call_pct       = productive_calls / calls
--   lines_per_call            = order lines taken on the visits / calls
--   lines_per_productive_call = order lines taken on the visits / productive_calls (null with none)
-- with the distributor's zone, region and state for drill-down.
with visits as (
    select * from {{ ref('fct_visits') }}
)

select
    distributor_code,
    zone,
    region,
    state,
    rep_code,
    beat_code,
    month_start,
    count(*) as calls,
    count(*) filter (where is_productive) as productive_calls,
    round(count(*) filter (where is_productive) / count(*), 4) as productive_call_pct,
    sum(lines_ordered) as order_lines,
    round(sum(lines_ordered) / count(*), 4) as lines_per_call,
    round(sum(lines_ordered) / nullif(count(*) filter (where is_productive), 0), 4) as lines_per_productive_call,
    count(*) filter (where is_far_from_outlet) as calls_far_from_outlet,
    count(*) filter (where is_clock_skewed) as calls_clock_skewed
from visits
group by distributor_code, zone, region, state, rep_code, beat_code, month_start
