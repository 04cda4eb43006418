-- What each rep earns per month under the rep plan in force (the plan YAML: stg_incentive_plan__*), from secondary
-- sales, never orders. One row per rep x month with a target for all products in the plan's measure
-- (fct_target_achievement: actual = the invoices of the outlets on the rep's beats). Every component:
--   achievement_pct   = 100 x actual / target
--   slab              = the plan's slab with from_pct <= achievement_pct < the next slab's from_pct (a negative
--                       achievement takes the first slab)
--   slab_payout_pct   = max(0, slab payout_pct + slab rate x (achievement_pct - slab from_pct))
--   payout_pct        = min(slab_payout_pct, cap_pct)                   is_capped when the cap cut it
--   earned_amount     = target_incentive_amount x payout_pct / 100      (before the gates)
--   gates, each passed when the plan sets no minimum, when the metric reaches it, or (no data to measure it: a
--   distributor without the field app) as the plan's gate_when_unmeasured says:
--     productive_call_pct    = 100 x productive calls / calls            (fct_visits, the rep's calls in the month)
--     lines_per_call         = order lines taken on the calls / calls
--     focus_distribution_pct = 100 x outlets invoiced an SKU of the plan's focus group / outlets invoiced
--                              (master outlets, sale lines on the rep's beats)
--   payout_amount     = earned_amount when every gate passed, else 0
-- Orders beside the invoices, to show a rep padding his orders: the field-app order lines the rep booked in the
-- month (countable), each filled by invoices of the same master outlet and SKU from the order day to
-- var(fill_window_days) days after:
--   order_fill_rate   = filled units / ordered units        is_order_inflated when below var(rep_min_order_fill_rate)
with rep_targets as (
    select * from {{ ref('fct_target_achievement') }}
    where target_level = 'rep' and product_scope = 'all'
),

plans as (
    select * from {{ ref('stg_incentive_plan__rep_plans') }}
),

planned as (
    -- the plan's columns but effective_to, named (Spark has no `* exclude`)
    select
        rep_targets.*,
        plans.plan_name,
        plans.effective_from,
        plans.target_measure,
        plans.target_incentive_amount,
        plans.cap_pct,
        plans.min_productive_call_pct,
        plans.min_lines_per_call,
        plans.min_focus_distribution_pct,
        plans.focus_sku_group,
        plans.gate_when_unmeasured,
        plans.plan_file,
        plans.plan_sha256
    from rep_targets
    inner join plans
        on rep_targets.month_start between plans.effective_from and plans.effective_to
        and rep_targets.measure = plans.target_measure
),

beats as (
    select beat_code, rep_code from {{ ref('stg_masters__beats') }}
),

focus_skus as (
    select sku_group, sku_code from {{ ref('stg_masters__sku_groups') }}
),

calls as (
    select
        rep_code,
        month_start,
        count(*) as calls,
        count(*) filter (where is_productive) as productive_calls,
        sum(lines_ordered) as order_lines
    from {{ ref('fct_visits') }}
    group by rep_code, month_start
),

billed as (
    select
        beats.rep_code,
        date_trunc('month', lines.invoice_date)::date as month_start,
        coalesce(lines.master_outlet_id, lines.outlet_code) as outlet_id,
        lines.sku_code
    from {{ ref('fct_secondary_sales') }} as lines
    inner join beats on beats.beat_code = lines.beat_code
    where lines.line_type = 'sale'
      and lines.invoice_date >= (select min(month_start) from planned)
),

distribution as (
    select
        planned.target_key,
        count(distinct billed.outlet_id) as outlets_invoiced,
        count(distinct billed.outlet_id) filter (where focus_skus.sku_code is not null) as focus_outlets
    from planned
    inner join billed on billed.rep_code = planned.rep_code and billed.month_start = planned.month_start
    left join focus_skus
        on focus_skus.sku_group = planned.focus_sku_group and focus_skus.sku_code = billed.sku_code
    group by planned.target_key
),

orders as (
    select
        order_line_key,
        sender_rep_code as rep_code,
        date_trunc('month', order_date)::date as month_start,
        order_date,
        coalesce(master_outlet_id, outlet_code) as outlet_id,
        sku_code,
        quantity_units
    from {{ ref('fct_secondary_orders') }}
    where origin = 'field_app' and is_countable
),

order_fills as (
    select
        orders.rep_code,
        orders.month_start,
        orders.order_line_key,
        any_value(orders.quantity_units) as ordered_units,
        least(coalesce(sum(sales.quantity_units), 0), any_value(orders.quantity_units)) as filled_units
    from orders
    left join {{ ref('fct_secondary_sales') }} as sales
        on coalesce(sales.master_outlet_id, sales.outlet_code) = orders.outlet_id
        and sales.sku_code = orders.sku_code
        and sales.line_type = 'sale'
        and sales.invoice_date between orders.order_date and orders.order_date + {{ var('fill_window_days') }}
        and sales.invoice_date >= (select min(order_date) from orders)
    group by orders.rep_code, orders.month_start, orders.order_line_key
),

ordered as (
    select rep_code, month_start, sum(ordered_units) as ordered_units, sum(filled_units) as filled_units
    from order_fills
    group by rep_code, month_start
),

measured as (
    select
        planned.*,
        calls.calls,
        calls.productive_calls,
        calls.order_lines,
        100.0 * calls.productive_calls / nullif(calls.calls, 0) as productive_call_ratio_pct,
        calls.order_lines / nullif(calls.calls, 0) as order_lines_per_call,
        distribution.outlets_invoiced,
        distribution.focus_outlets,
        100.0 * distribution.focus_outlets / nullif(distribution.outlets_invoiced, 0) as focus_outlets_pct,
        ordered.ordered_units,
        ordered.filled_units
    from planned
    left join calls on calls.rep_code = planned.rep_code and calls.month_start = planned.month_start
    left join distribution using (target_key)
    left join ordered on ordered.rep_code = planned.rep_code and ordered.month_start = planned.month_start
),

slabbed as (
    select
        measured.*,
        slabs.slab_number,
        slabs.from_pct as slab_from_pct,
        greatest(0, slabs.payout_pct + slabs.rate * (100.0 * measured.actual / measured.target - slabs.from_pct))
            as slab_payout_pct
    from measured
    inner join {{ ref('stg_incentive_plan__rep_slabs') }} as slabs
        on slabs.effective_from = measured.effective_from
        and greatest(100.0 * measured.actual / measured.target, 0) >= slabs.from_pct
        and (slabs.to_pct is null or greatest(100.0 * measured.actual / measured.target, 0) < slabs.to_pct)
),

gated as (
    select
        *,
        coalesce(least(slab_payout_pct, cap_pct), slab_payout_pct) as capped_payout_pct,
        {{ incentive_gate('productive_call_ratio_pct', 'min_productive_call_pct') }} as productive_call_gate_passed,
        {{ incentive_gate('order_lines_per_call', 'min_lines_per_call') }} as lines_per_call_gate_passed,
        {{ incentive_gate('focus_outlets_pct', 'min_focus_distribution_pct') }} as focus_distribution_gate_passed
    from slabbed
)

select
    gated.rep_code,
    reps.rep_name,
    gated.month_start,
    gated.distributor_code,
    gated.zone,
    gated.region,
    gated.state,
    gated.plan_name,
    gated.target_measure,
    gated.target,
    gated.actual,
    gated.achievement_pct,
    gated.slab_number,
    gated.slab_from_pct,
    round(gated.slab_payout_pct, 4) as slab_payout_pct,
    gated.cap_pct,
    gated.cap_pct is not null and gated.slab_payout_pct > gated.cap_pct as is_capped,
    round(gated.capped_payout_pct, 4) as payout_pct,
    gated.target_incentive_amount,
    round(gated.target_incentive_amount * gated.capped_payout_pct / 100, 2) as earned_amount,
    gated.calls,
    gated.productive_calls,
    round(gated.productive_call_ratio_pct, 2) as productive_call_pct,
    gated.order_lines,
    round(gated.order_lines_per_call, 4) as lines_per_call,
    coalesce(gated.outlets_invoiced, 0) as outlets_invoiced,
    coalesce(gated.focus_outlets, 0) as focus_outlets,
    round(gated.focus_outlets_pct, 2) as focus_distribution_pct,
    gated.min_productive_call_pct,
    gated.min_lines_per_call,
    gated.min_focus_distribution_pct,
    gated.productive_call_gate_passed,
    gated.lines_per_call_gate_passed,
    gated.focus_distribution_gate_passed,
    gated.productive_call_gate_passed and gated.lines_per_call_gate_passed and gated.focus_distribution_gate_passed
        as gates_passed,
    case
        when gated.productive_call_gate_passed and gated.lines_per_call_gate_passed
            and gated.focus_distribution_gate_passed
            then round(gated.target_incentive_amount * gated.capped_payout_pct / 100, 2)
        else 0
    end as payout_amount,
    gated.ordered_units,
    gated.filled_units,
    gated.ordered_units - gated.filled_units as unfilled_order_units,
    round(gated.filled_units / nullif(gated.ordered_units, 0), 4) as order_fill_rate,
    coalesce(gated.filled_units / nullif(gated.ordered_units, 0) < {{ var('rep_min_order_fill_rate') }}, false)
        as is_order_inflated
from gated
left join {{ ref('stg_masters__reps') }} as reps on reps.rep_code = gated.rep_code
