-- One row per master outlet for the dashboard's Outlets page: its status as of the last business day
-- (kpi_non_performing_outlets: dead, declining, never_bought, performing), last purchase date, beat and rep,
-- its revenue over the 90 days and Pareto class (kpi_outlet_pareto; null when it bought nothing in the 90
-- days), channel and class (dim_outlet).
select
    status.master_outlet_id,
    status.outlet_name,
    status.distributor_code,
    distributors.distributor_name,
    status.zone,
    status.region,
    status.state,
    status.beat_code,
    status.beat_name,
    status.rep_code,
    reps.rep_name,
    outlets.channel,
    outlets.outlet_class,
    outlets.town,
    status.as_of_date,
    status.status,
    status.last_purchase_date,
    status.days_since_last_purchase,
    status.last_28d_amount,
    status.previous_28d_amount,
    status.change_pct,
    status.needs_field_check,
    coalesce(pareto.net_sales_amount, 0) as net_sales_90d_amount,
    pareto.revenue_rank,
    pareto.revenue_share,
    pareto.cumulative_share,
    pareto.pareto_class
from {{ ref('kpi_non_performing_outlets') }} as status
left join {{ ref('kpi_outlet_pareto') }} as pareto on pareto.master_outlet_id = status.master_outlet_id
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = status.master_outlet_id
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = status.distributor_code
left join {{ ref('dim_rep') }} as reps on reps.rep_code = status.rep_code
