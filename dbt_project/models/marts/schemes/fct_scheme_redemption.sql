-- Per scheme x outlet x month: the sell-through the scheme's eligible lines generated, the payout its rules
-- earned on them, what the distributor claimed, and the leakage (claimed - earned, when positive).
-- The beat is the outlet's in force (int_outlets__versions, business time) on the row's last eligible sale (its
-- last invoice date under the scheme in the month), as fct_secondary_sales places that line; a row with no
-- eligible sale (a claim only) takes the beat in force on the scheme's last day within the month. Per month, not
-- per whole scheme, so a later month's sale never changes a month outside the incremental window.
-- master_outlet_id is today's.
-- On Spark partitioned by claim_month: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('claim_month'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook', 'scheme_claims'], 'date_column': 'claim_month', 'align': 'month', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with earned as (
    select
        scheme_code,
        distributor_code,
        outlet_code,
        date_trunc('month', invoice_date)::date as claim_month,
        count(*) as eligible_lines,
        sum(quantity_units) as eligible_units,
        sum(free_units) as free_units,
        sum(net_amount) as eligible_net_amount,
        round(sum(earned_amount), 2) as earned_amount,
        max(invoice_date) as last_sale_date
    from {{ ref('int_secondary_sales__scheme_earnings') }}
    where invoice_date >= {{ incremental_window_from() }}
    group by all
),

claimed as (
    select
        scheme_code,
        distributor_code,
        outlet_code,
        claim_month,
        sum(claimed_amount) as claimed_amount,
        count(*) as claim_lines,
        bool_or(outlet_code is null) as has_unresolved_retailer
    from {{ ref('int_scheme_claims__resolved') }}
    where claim_month >= {{ incremental_window_from() }}
    group by all
),

joined as (
    select
        coalesce(earned.scheme_code, claimed.scheme_code) as scheme_code,
        coalesce(earned.distributor_code, claimed.distributor_code) as distributor_code,
        coalesce(earned.outlet_code, claimed.outlet_code) as outlet_code,
        coalesce(earned.claim_month, claimed.claim_month) as claim_month,
        coalesce(earned.eligible_lines, 0) as eligible_lines,
        coalesce(earned.eligible_units, 0) as eligible_units,
        coalesce(earned.free_units, 0) as free_units,
        coalesce(earned.eligible_net_amount, 0) as sell_through_amount,
        coalesce(earned.earned_amount, 0) as earned_amount,
        coalesce(claimed.claimed_amount, 0) as claimed_amount,
        coalesce(claimed.has_unresolved_retailer, false) as has_unresolved_retailer,
        earned.last_sale_date
    from earned
    full outer join claimed
        on claimed.scheme_code = earned.scheme_code
        and claimed.distributor_code = earned.distributor_code
        and claimed.outlet_code is not distinct from earned.outlet_code
        and claimed.claim_month = earned.claim_month
),

-- the day whose placement the row takes: its last eligible sale, else the scheme's last day within the month
placed as (
    select
        joined.*,
        coalesce(joined.last_sale_date, least(schemes.end_date, last_day(joined.claim_month))) as placed_on,
        schemes.scheme_type
    from joined
    left join {{ ref('dim_scheme') }} as schemes on schemes.scheme_code = joined.scheme_code
),

placements as (
    select outlet_code, beat_code, effective_from, effective_to from {{ ref('int_outlets__versions') }}
)

select
    -- joined's columns, named (Spark has no `* exclude`)
    placed.scheme_code,
    placed.distributor_code,
    placed.outlet_code,
    placed.claim_month,
    placed.eligible_lines,
    placed.eligible_units,
    placed.free_units,
    placed.sell_through_amount,
    placed.earned_amount,
    placed.claimed_amount,
    placed.has_unresolved_retailer,
    round(placed.claimed_amount - placed.earned_amount, 2) as claim_excess_amount,
    greatest(round(placed.claimed_amount - placed.earned_amount, 2), 0) as leakage_amount,
    round(placed.claimed_amount / nullif(placed.earned_amount, 0), 2) as claimed_to_earned_ratio,
    placed.claimed_amount > placed.earned_amount + 1 as is_over_claimed,
    outlets.master_outlet_id,
    placements.beat_code,
    distributors.zone,
    distributors.region,
    distributors.state,
    placed.scheme_type,
    {{ built_through() }} as _built_through,
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from placed
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = placed.outlet_code
left join placements on {{ placement_in_force('placed.outlet_code', 'placed.placed_on') }}
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = placed.distributor_code
