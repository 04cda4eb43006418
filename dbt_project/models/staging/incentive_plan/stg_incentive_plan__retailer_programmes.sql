-- Retailer incentive programmes from the plan YAML: each in force from its effective_from to the next one's.
-- channels null: every channel.
select
    programme_name,
    effective_from,
    coalesce(
        lead(effective_from) over (order by effective_from) - interval 1 day, date '9999-12-31'
    )::date as effective_to,
    {{ split_to_list('channels', "';'") }} as channels,
    focus_sku_group,
    focus_bonus_pct,
    new_sku_group,
    new_sku_bonus_amount,
    plan_file,
    plan_sha256
from {{ source('derived', 'incentive_retailer_programmes') }}
