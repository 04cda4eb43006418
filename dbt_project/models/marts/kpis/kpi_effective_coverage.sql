-- Effective coverage per distributor x beat x month:
--   effective_coverage = outlets billed at least once in the month / outlets on the beat in the master
-- (duplicate outlets count once, under their master outlet id).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'secondary_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with universe as (
    select distributor_code, beat_code, count(distinct master_outlet_id) as outlets_on_beat
    from {{ ref('dim_outlet') }}
    group by all
),

billed as (
    select
        distributor_code,
        beat_code,
        date_trunc('month', invoice_date)::date as month_start,
        count(distinct master_outlet_id) as outlets_billed,
        count(distinct invoice_number) as invoices,
        count(*) as lines,
        sum(signed_net_amount) as net_sales_amount
    from {{ ref('fct_secondary_sales') }}
    where line_type = 'sale' and master_outlet_id is not null and invoice_date >= {{ incremental_window_from() }}
    group by all
),

months as (
    select distinct date_trunc('month', invoice_date)::date as month_start
    from {{ ref('fct_secondary_sales') }}
    where invoice_date >= {{ incremental_window_from() }}
)

select
    universe.distributor_code,
    universe.beat_code,
    months.month_start,
    geography.zone,
    geography.region,
    geography.state,
    universe.outlets_on_beat,
    coalesce(billed.outlets_billed, 0) as outlets_billed,
    round(coalesce(billed.outlets_billed, 0) / universe.outlets_on_beat, 4) as effective_coverage,
    coalesce(billed.invoices, 0) as invoices,
    round(billed.lines / nullif(billed.invoices, 0), 2) as lines_per_invoice,
    coalesce(billed.net_sales_amount, 0) as net_sales_amount,
    {{ built_through() }} as _built_through,
    {{ secondary_sales_dims_fingerprint() }} as _dims_fingerprint
from universe
cross join months
left join billed using (distributor_code, beat_code, month_start)
left join {{ ref('dim_geography') }} as geography on geography.beat_code = universe.beat_code
