-- Rep incentive plans from the plan YAML (sellthrough/incentives/store.py): each in force from its effective_from
-- (a month's first day) to the next plan's.
select
    plan_name,
    effective_from,
    coalesce(
        lead(effective_from) over (order by effective_from) - interval 1 day, date '9999-12-31'
    )::date as effective_to,
    target_measure,
    target_incentive_amount,
    cap_pct,
    min_productive_call_pct,
    min_lines_per_call,
    min_focus_distribution_pct,
    focus_sku_group,
    gate_when_unmeasured,
    plan_file,
    plan_sha256
from {{ source('derived', 'incentive_rep_plans') }}
