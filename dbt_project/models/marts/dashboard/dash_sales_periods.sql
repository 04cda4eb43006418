-- Net secondary sales per reporting period (dash_periods: mtd, l4w, fytd) x distributor x beat (on the invoice
-- date) x master outlet x SKU, for the period, the previous period and the same period last year, with every
-- drill-down key and name the dashboard shows: zone > region > state > distributor > beat > outlet,
-- brand > category > SKU, the beat's rep, the outlet's channel and class.
-- Day windows read the invoice lines of the 62 days to the as-of date and of the 400 to 364 days before it
-- (literals, so the filter reaches the scan) in one pass, each line summed into every window it falls in; the
-- fiscal year's complete months before the as-of month come from dash_sales_monthly. A night costs the same
-- however long the history (at most two fiscal years of months). For fytd, previous = last year.
{% set as_of = as_of_date_literal() %}

with periods as (
    select * from {{ ref('dash_periods') }}
),

-- every window's bounds in one row: mtd and l4w from the lines; fytd = the as-of month's days from the lines and
-- the fiscal year's complete months before it from dash_sales_monthly (this year and last)
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
        any_value(last_year_end) filter (where period = 'l4w') as l4w_last_year_to,
        any_value(start_date) filter (where period = 'fytd') as fytd_from,
        any_value(last_year_start) filter (where period = 'fytd') as fytd_last_year_from,
        any_value(last_year_end) filter (where period = 'fytd') as fytd_last_year_to
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
            as {{ name }}_units,
        {%- endfor %}
        -- fytd: the as-of month's days (= mtd) and, last year, the same days a year before (= mtd_last_year)
        null::double as fytd_months_amount,
        null::hugeint as fytd_months_units,
        null::double as fytd_last_year_months_amount,
        null::hugeint as fytd_last_year_months_units
    from lines
    cross join bounds
    group by all
),

month_sums as (
    select
        monthly.distributor_code,
        monthly.beat_code,
        monthly.master_outlet_id,
        monthly.sku_code,
        {%- for name, low, high in line_windows %}
        null::double as {{ name }}_amount,
        null::hugeint as {{ name }}_units,
        {%- endfor %}
        sum(monthly.net_amount) filter (where monthly.month_start >= bounds.fytd_from and monthly.month_start < bounds.mtd_from)
            as fytd_months_amount,
        sum(monthly.net_units) filter (where monthly.month_start >= bounds.fytd_from and monthly.month_start < bounds.mtd_from)
            as fytd_months_units,
        sum(monthly.net_amount) filter (
            where monthly.month_start >= bounds.fytd_last_year_from and monthly.month_start < bounds.mtd_last_year_from
        ) as fytd_last_year_months_amount,
        sum(monthly.net_units) filter (
            where monthly.month_start >= bounds.fytd_last_year_from and monthly.month_start < bounds.mtd_last_year_from
        ) as fytd_last_year_months_units
    from {{ ref('dash_sales_monthly') }} as monthly
    cross join bounds
    where monthly.month_start >= (date_trunc('month', {{ as_of }}) - interval 2 year)::date
      and monthly.month_start < date_trunc('month', {{ as_of }})::date
    group by all
),

per_key as (
    select
        distributor_code,
        beat_code,
        master_outlet_id,
        sku_code,
        {%- for name, low, high in line_windows %}
        sum({{ name }}_amount) as {{ name }}_amount,
        sum({{ name }}_units) as {{ name }}_units,
        {%- endfor %}
        sum(fytd_months_amount) as fytd_months_amount,
        sum(fytd_months_units) as fytd_months_units,
        sum(fytd_last_year_months_amount) as fytd_last_year_months_amount,
        sum(fytd_last_year_months_units) as fytd_last_year_months_units
    from (select * from line_sums union all by name select * from month_sums)
    group by all
),

long as (
    select 'mtd' as period, distributor_code, beat_code, master_outlet_id, sku_code,
        mtd_amount as net_amount, mtd_units as net_units,
        mtd_previous_amount as previous_net_amount, mtd_previous_units as previous_net_units,
        mtd_last_year_amount as last_year_net_amount, mtd_last_year_units as last_year_net_units
    from per_key
    union all
    select 'l4w', distributor_code, beat_code, master_outlet_id, sku_code,
        l4w_amount, l4w_units, l4w_previous_amount, l4w_previous_units, l4w_last_year_amount, l4w_last_year_units
    from per_key
    union all
    select
        'fytd', distributor_code, beat_code, master_outlet_id, sku_code,
        case when fytd_months_amount is not null or mtd_amount is not null
            then coalesce(fytd_months_amount, 0) + coalesce(mtd_amount, 0) end,
        case when fytd_months_units is not null or mtd_units is not null
            then coalesce(fytd_months_units, 0) + coalesce(mtd_units, 0) end,
        -- fytd: previous = last year
        case when fytd_last_year_months_amount is not null or mtd_last_year_amount is not null
            then coalesce(fytd_last_year_months_amount, 0) + coalesce(mtd_last_year_amount, 0) end,
        case when fytd_last_year_months_units is not null or mtd_last_year_units is not null
            then coalesce(fytd_last_year_months_units, 0) + coalesce(mtd_last_year_units, 0) end,
        case when fytd_last_year_months_amount is not null or mtd_last_year_amount is not null
            then coalesce(fytd_last_year_months_amount, 0) + coalesce(mtd_last_year_amount, 0) end,
        case when fytd_last_year_months_units is not null or mtd_last_year_units is not null
            then coalesce(fytd_last_year_months_units, 0) + coalesce(mtd_last_year_units, 0) end
    from per_key
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
        coalesce(last_year_net_units, 0)::bigint as last_year_net_units
    from long
    where net_amount is not null or previous_net_amount is not null or last_year_net_amount is not null
)

select
    summed.period,
    summed.distributor_code,
    distributors.distributor_name,
    distributors.zone,
    distributors.region,
    distributors.state,
    summed.beat_code,
    beats.beat_name,
    beats.rep_code,
    beats.rep_name,
    summed.master_outlet_id,
    outlets.outlet_name,
    outlets.channel,
    outlets.outlet_class,
    summed.sku_code,
    skus.sku_name,
    skus.brand,
    skus.category,
    summed.net_amount,
    summed.net_units,
    summed.previous_net_amount,
    summed.previous_net_units,
    summed.last_year_net_amount,
    summed.last_year_net_units
from summed
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = summed.distributor_code
left join {{ ref('dim_geography') }} as beats on beats.beat_code = summed.beat_code
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = summed.master_outlet_id
left join {{ ref('dim_sku') }} as skus on skus.sku_code = summed.sku_code
