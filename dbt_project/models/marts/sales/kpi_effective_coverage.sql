-- Effective coverage per distributor x beat x month:
--   effective_coverage = outlets billed at least once in the month / outlets on the beat in the master
-- (duplicate outlets count once, under their master outlet id). An outlet is on the beats it was placed on during
-- the month (int_outlets__versions), and a sale counts on the beat of its day (fct_secondary_sales.beat_code),
-- so an outlet that moved beat mid-month is on both.
-- On Spark partitioned by month_start: a night overwrites its window's partitions (macros/incremental/incremental_window.sql).
{{ config(
    materialized='incremental',
    incremental_strategy=window_strategy(),
    partition_by=window_partition_by('month_start'),
    on_schema_change='fail',
    meta={'incremental_window': {'source_kinds': ['distributor_sales', 'tally_daybook'], 'date_column': 'month_start', 'align': 'month', 'fingerprint': 'dated_sales_dims'}},
    pre_hook="{{ incremental_window_prepare() }}",
) }}

with months as (
    select distinct date_trunc('month', invoice_date)::date as month_start
    from {{ ref('fct_secondary_sales') }}
    where invoice_date >= {{ incremental_window_from() }}
),

universe as (
    select
        placements.distributor_code,
        placements.beat_code,
        months.month_start,
        count(distinct outlets.master_outlet_id) as outlets_on_beat
    from months
    inner join {{ ref('int_outlets__versions') }} as placements
        on placements.effective_from < months.month_start + interval 1 month
        and (placements.effective_to is null or placements.effective_to > months.month_start)
    inner join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = placements.outlet_code
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
)

select
    universe.distributor_code,
    universe.beat_code,
    universe.month_start,
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
    {{ window_dims_fingerprint('dated_sales_dims') }} as _dims_fingerprint
from universe
left join billed using (distributor_code, beat_code, month_start)
left join {{ ref('dim_geography') }} as geography on geography.beat_code = universe.beat_code
