-- The scheme each current sale line falls under (the first active scheme, by code, whose eligible SKUs include
-- the line's SKU on its invoice date and that the line's distributor runs: a scheme naming distributors runs at
-- those only) and the payout the scheme's rules earn on it:
--   qty_slab, pct_discount: discount_pct % of the line's gross value when quantity >= min_units;
--   free_goods: floor(quantity / min_units) * free_units pieces, at most the free pieces actually given, at the
--   line's rate.
-- One pass over the lines: each joins its SKU's schemes (a hash join on sku_code) and keeps the first by code. The
-- window is partitioned by the line's key and invoice date (the key fixes the date), so a caller's filter on
-- invoice_date reaches the fact's scan through it (1.6 s -> 0.9 s for all 20M lines, the join back to the lines
-- that a group-by needed gone; 0.03 s for a month).
with lines as (
    select * from {{ ref('fct_secondary_sales') }}
    where line_type = 'sale'
),

ranked as (
    select
        lines.sales_line_key,
        lines.distributor_code,
        lines.outlet_code,
        lines.invoice_date,
        lines.sku_code,
        lines.quantity_units,
        lines.free_units,
        lines.rate,
        lines.gross_amount,
        lines.discount_amount,
        lines.net_amount,
        schemes.scheme_code,
        schemes.scheme_type,
        schemes.min_units,
        schemes.discount_pct,
        schemes.free_units as scheme_free_units,
        row_number() over (
            partition by lines.sales_line_key, lines.invoice_date order by schemes.scheme_code
        ) as scheme_rank
    from lines
    inner join {{ ref('int_schemes__skus') }} as schemes
        on schemes.sku_code = lines.sku_code
        and lines.invoice_date between schemes.start_date and schemes.end_date
        and ({{ list_length('schemes.distributor_codes') }} = 0 or {{ list_has('schemes.distributor_codes', 'lines.distributor_code') }})
),

matched as (
    select
        sales_line_key,
        distributor_code,
        outlet_code,
        invoice_date,
        sku_code,
        quantity_units,
        free_units,
        rate,
        gross_amount,
        discount_amount,
        net_amount,
        scheme_code,
        scheme_type,
        min_units,
        discount_pct,
        scheme_free_units
    from ranked
    where scheme_rank = 1
),

-- Files without gross or rate columns carry only the net value: the gross is net / (1 - discount) where the
-- rule gives a discount, and net + any discount column otherwise.
priced as (
    select
        *,
        coalesce(
            gross_amount,
            quantity_units * rate,
            case
                when scheme_type <> 'free_goods' and quantity_units >= min_units
                    then net_amount / (1 - discount_pct / 100.0)
                else net_amount + coalesce(discount_amount, 0)
            end
        ) as gross_value
    from matched
)

select
    *,
    coalesce(rate, gross_value / nullif(quantity_units, 0)) as unit_rate,
    case
        when scheme_type = 'free_goods'
            then least(floor(quantity_units / nullif(min_units, 0)) * scheme_free_units, free_units)
            * coalesce(rate, gross_value / nullif(quantity_units, 0))
        when quantity_units >= min_units
            then gross_value * discount_pct / 100.0
        else 0
    end as earned_amount
from priced
