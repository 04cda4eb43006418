-- Retailer revenue contribution over the last 90 days to the as-of date, per master outlet:
--   revenue_share = the outlet's net sales / all outlets' net sales
--   pareto_class: A while the cumulative share (largest first) is within var(pareto_a_share), B within
--   var(pareto_b_share), else C.
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
),

revenue as (
    select master_outlet_id, sum(signed_net_amount) as net_sales_amount, count(distinct invoice_number) as invoices
    from {{ ref('fct_secondary_sales') }}, as_of
    where master_outlet_id is not null
      and invoice_date > as_of.as_of_date - 90 and invoice_date <= as_of.as_of_date
      and invoice_date > {{ as_of_date_literal() }} - 90  -- the same bound as a literal: it reaches the scan
    group by master_outlet_id
),

ranked as (
    select
        *,
        net_sales_amount / sum(net_sales_amount) over () as revenue_share,
        sum(net_sales_amount) over (order by net_sales_amount desc, master_outlet_id rows unbounded preceding)
            / sum(net_sales_amount) over () as cumulative_share,
        row_number() over (order by net_sales_amount desc, master_outlet_id) as revenue_rank
    from revenue
)

select
    ranked.master_outlet_id,
    outlets.outlet_name,
    outlets.distributor_code,
    outlets.beat_code,
    outlets.zone,
    outlets.region,
    outlets.state,
    (select as_of_date from as_of) as as_of_date,
    ranked.net_sales_amount,
    ranked.invoices,
    ranked.revenue_rank,
    round(ranked.revenue_share, 6) as revenue_share,
    round(ranked.cumulative_share, 6) as cumulative_share,
    case
        when round(ranked.cumulative_share - ranked.revenue_share, 9) < {{ var('pareto_a_share') }} then 'A'
        when round(ranked.cumulative_share - ranked.revenue_share, 9) < {{ var('pareto_b_share') }} then 'B'
        else 'C'
    end as pareto_class
from ranked
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = ranked.master_outlet_id
