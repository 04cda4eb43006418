-- Net secondary sales per day window (mtd, l4w of dash_periods) x distributor x beat (on the invoice date) x
-- master outlet x SKU, for the window, the previous window and the same window last year, with every drill-down
-- key and name: the day-window rows of dash_sales_periods (which adds fytd from dash_sales_fytd_months).
-- Reads the invoice lines of the 62 days to the as-of date and of the 400 to 364 days before it (literals, so the
-- filter reaches the scan) in one pass, each line summed into every window it falls in: a night costs the same
-- however long the history. An mtd row also says whether the key sold in the month to date and in its days last
-- year (_in_mtd, _in_mtd_last_year): the fiscal year to date adds those days to the complete months.
{% set as_of = as_of_date_literal() %}

with periods as (
    select * from {{ ref('dash_periods') }}
),

-- every window's bounds in one row
bounds as (
    select
        any_value(start_date) filter (where period = 'mtd') as mtd_from,
        any_value(end_date) filter (where period = 'mtd') as mtd_to,
        any_value(previous_start) filter (where period = 'mtd') as mtd_previous_from,
        any_value(previous_end) filter (where period = 'mtd') as mtd_previous_to,
        any_value(last_year_start) filter (where period = 'mtd') as mtd_last_year_from,
        any_value(last_year_end) filter (where period = 'mtd') as mtd_last_year_to,
        any_value(start_date) filter (where period = 'l4w') as l4w_from,
        any_value(end_date) filter (where period = 'l4w') as l4w_to,
        any_value(previous_start) filter (where period = 'l4w') as l4w_previous_from,
        any_value(previous_end) filter (where period = 'l4w') as l4w_previous_to,
        any_value(last_year_start) filter (where period = 'l4w') as l4w_last_year_from,
        any_value(last_year_end) filter (where period = 'l4w') as l4w_last_year_to
    from periods
),

lines as (
    select invoice_date, distributor_code, beat_code, master_outlet_id, sku_code, signed_net_amount, signed_quantity_units
    from {{ ref('fct_secondary_sales') }}
    where invoice_date between {{ as_of }} - 62 and {{ as_of }}
       or invoice_date between {{ as_of }} - 400 and {{ as_of }} - 364
),

{% set line_windows = [
    ('mtd', 'mtd_from', 'mtd_to'),
    ('mtd_previous', 'mtd_previous_from', 'mtd_previous_to'),
    ('mtd_last_year', 'mtd_last_year_from', 'mtd_last_year_to'),
    ('l4w', 'l4w_from', 'l4w_to'),
    ('l4w_previous', 'l4w_previous_from', 'l4w_previous_to'),
    ('l4w_last_year', 'l4w_last_year_from', 'l4w_last_year_to'),
] %}
-- one pass over the lines, one row per key (each line counted in every window it falls in)
line_sums as (
    select
        lines.distributor_code,
        lines.beat_code,
        lines.master_outlet_id,
        lines.sku_code,
        {%- for name, low, high in line_windows %}
        sum(lines.signed_net_amount) filter (where lines.invoice_date between bounds.{{ low }} and bounds.{{ high }})
            as {{ name }}_amount,
        sum(lines.signed_quantity_units) filter (where lines.invoice_date between bounds.{{ low }} and bounds.{{ high }})
            as {{ name }}_units{{ ',' if not loop.last }}
        {%- endfor %}
    from lines
    cross join bounds
    group by all
),

long as (
    select 'mtd' as period, distributor_code, beat_code, master_outlet_id, sku_code,
        mtd_amount as net_amount, mtd_units as net_units,
        mtd_previous_amount as previous_net_amount, mtd_previous_units as previous_net_units,
        mtd_last_year_amount as last_year_net_amount, mtd_last_year_units as last_year_net_units,
        mtd_amount is not null as _in_mtd, mtd_last_year_amount is not null as _in_mtd_last_year
    from line_sums
    union all
    select 'l4w', distributor_code, beat_code, master_outlet_id, sku_code,
        l4w_amount, l4w_units, l4w_previous_amount, l4w_previous_units, l4w_last_year_amount, l4w_last_year_units,
        null, null
    from line_sums
),

summed as (
    select
        period,
        distributor_code,
        beat_code,
        master_outlet_id,
        sku_code,
        coalesce(net_amount, 0) as net_amount,
        coalesce(net_units, 0)::bigint as net_units,
        coalesce(previous_net_amount, 0) as previous_net_amount,
        coalesce(previous_net_units, 0)::bigint as previous_net_units,
        coalesce(last_year_net_amount, 0) as last_year_net_amount,
        coalesce(last_year_net_units, 0)::bigint as last_year_net_units,
        _in_mtd,
        _in_mtd_last_year
    from long
    where net_amount is not null or previous_net_amount is not null or last_year_net_amount is not null
)

select
    summed.period,
    {{ drill_down_names('summed') }},
    summed.net_amount,
    summed.net_units,
    summed.previous_net_amount,
    summed.previous_net_units,
    summed.last_year_net_amount,
    summed.last_year_net_units,
    summed._in_mtd,
    summed._in_mtd_last_year
from summed
{{ drill_down_joins('summed') }}
