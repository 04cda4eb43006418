-- The alert list: every distributor x SKU at risk (fct_stockout_risk.is_alert) for each rep who serves the
-- distributor's beats, ranked for the rep (most likely and soonest first) and for the distributor.
select
    rep.rep_code,
    rep.rep_name,
    risk.distributor_code,
    risk.sku_code,
    risk.as_of_date,
    risk.zone,
    risk.region,
    risk.state,
    risk.brand,
    risk.category,
    risk.closing_units,
    risk.in_transit_units,
    risk.stockout_probability_7d,
    risk.stockout_probability_lead_time,
    risk.expected_stockout_date,
    risk.suggested_order_units,
    risk.distributor_rank,
    row_number() over (
        partition by rep.rep_code
        order by risk.stockout_probability_7d desc, risk.expected_stockout_date nulls last, risk.distributor_code,
            risk.sku_code
    ) as rep_rank
from {{ ref('fct_stockout_risk') }} as risk
left join {{ ref('dim_rep') }} as rep on rep.distributor_code = risk.distributor_code
where risk.is_alert
