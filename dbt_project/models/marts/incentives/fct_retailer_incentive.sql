-- What each retailer earns per month under the retailer programme in force (the plan YAML:
-- stg_incentive_plan__retailer_*), from its secondary purchases (the invoices its distributor billed it). One row per
-- master outlet (duplicate registrations once) x month it bought or returned anything, with a programme in force.
--   purchases_amount       = net rupees invoiced to the outlet in the month, returns deducted (to the paisa)
--   is_in_programme        = the programme names no channels, or the outlet's channel (dim_outlet, today's) is one
--   loyalty slab           = the programme's slab with from_amount <= max(purchases_amount, 0) < the next one's
--   loyalty_amount         = max(purchases_amount, 0) x the slab's payout_pct / 100
--   focus_bonus_amount     = max(focus_purchases_amount, 0) x focus_bonus_pct / 100, focus_purchases_amount being the
--                            month's net purchases of the programme's focus SKU group
--   new_skus_listed        = SKUs of the programme's new-SKU group the outlet bought for the first time in the
--                            warehouse's history that month (so in the first month of history, every one it buys)
--   new_sku_bonus_amount   = new_skus_listed x new_sku_bonus_amount
--   earned_amount          = loyalty_amount + focus_bonus_amount + new_sku_bonus_amount (0 outside the programme)
-- Each amount is rounded to the paisa before the sum.
-- read from the monthly aggregate per outlet x SKU (incremental), not the lines: its outlets x SKUs x months
with months as (
    select outlet_id, month_start, sku_code, net_amount, first_sale_date
    from {{ ref('int_secondary_sales__outlet_sku_monthly') }}
),

programmes as (
    select * from {{ ref('stg_incentive_plan__retailer_programmes') }}
),

groups as (
    select sku_group, sku_code from {{ ref('stg_masters__sku_groups') }}
),

monthly as (
    select
        months.outlet_id,
        months.month_start,
        programmes.effective_from,
        -- to the paisa (every line is): a sum of doubles in any order may land a hair off it, and a payout on a
        -- half paisa would round either way
        round(sum(months.net_amount), 2) as purchases_amount,
        round(coalesce(sum(months.net_amount) filter (where focus.sku_code is not null), 0), 2)
            as focus_purchases_amount
    from months
    inner join programmes on months.month_start between programmes.effective_from and programmes.effective_to
    left join groups as focus on focus.sku_group = programmes.focus_sku_group and focus.sku_code = months.sku_code
    group by months.outlet_id, months.month_start, programmes.effective_from
),

-- the SKUs of any programme's new-SKU group: the only ones whose first purchase earns anything
launch_skus as (
    select distinct launches.sku_code
    from programmes
    inner join groups as launches on launches.sku_group = programmes.new_sku_group
),

first_purchases as (
    select months.outlet_id, months.sku_code, date_trunc('month', min(months.first_sale_date))::date as month_start
    from months
    inner join launch_skus on launch_skus.sku_code = months.sku_code
    where months.first_sale_date is not null
    group by months.outlet_id, months.sku_code
),

listed as (
    select monthly.outlet_id, monthly.month_start, count(*) as new_skus_listed
    from monthly
    inner join programmes using (effective_from)
    inner join groups as launches on launches.sku_group = programmes.new_sku_group
    inner join first_purchases
        on first_purchases.outlet_id = monthly.outlet_id
        and first_purchases.month_start = monthly.month_start
        and first_purchases.sku_code = launches.sku_code
    group by monthly.outlet_id, monthly.month_start
),

outlets as (
    select * from {{ ref('dim_outlet') }} where is_golden
),

earned as (
    select
        monthly.*,
        programmes.programme_name,
        programmes.channels is null or coalesce({{ list_has('programmes.channels', 'outlets.channel') }}, false)
            as is_in_programme,
        slabs.from_amount as loyalty_slab_from_amount,
        slabs.payout_pct as loyalty_payout_pct,
        round(greatest(monthly.purchases_amount, 0) * slabs.payout_pct / 100, 2) as loyalty,
        programmes.focus_bonus_pct,
        round(greatest(monthly.focus_purchases_amount, 0) * programmes.focus_bonus_pct / 100, 2) as focus_bonus,
        coalesce(listed.new_skus_listed, 0) as new_skus_listed,
        round(coalesce(listed.new_skus_listed, 0) * programmes.new_sku_bonus_amount, 2) as new_sku_bonus,
        outlets.outlet_name,
        outlets.channel,
        outlets.outlet_class,
        outlets.distributor_code,
        outlets.beat_code,
        outlets.zone,
        outlets.region,
        outlets.state
    from monthly
    inner join programmes using (effective_from)
    inner join {{ ref('stg_incentive_plan__retailer_slabs') }} as slabs
        on slabs.effective_from = monthly.effective_from
        and greatest(monthly.purchases_amount, 0) >= slabs.from_amount
        and (slabs.to_amount is null or greatest(monthly.purchases_amount, 0) < slabs.to_amount)
    left join listed on listed.outlet_id = monthly.outlet_id and listed.month_start = monthly.month_start
    left join outlets on outlets.master_outlet_id = monthly.outlet_id
)

select
    outlet_id as master_outlet_id,
    month_start,
    outlet_name,
    channel,
    outlet_class,
    distributor_code,
    beat_code,
    zone,
    region,
    state,
    programme_name,
    is_in_programme,
    purchases_amount,
    loyalty_slab_from_amount,
    loyalty_payout_pct,
    case when is_in_programme then loyalty else 0 end as loyalty_amount,
    focus_purchases_amount,
    focus_bonus_pct,
    case when is_in_programme then focus_bonus else 0 end as focus_bonus_amount,
    new_skus_listed,
    case when is_in_programme then new_sku_bonus else 0 end as new_sku_bonus_amount,
    case when is_in_programme then loyalty + focus_bonus + new_sku_bonus else 0 end as earned_amount
from earned
