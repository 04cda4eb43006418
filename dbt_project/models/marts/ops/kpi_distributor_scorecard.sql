-- A data-quality scorecard per distributor over everything loaded:
--   on_time_rate = sales files whose period was first delivered within var(on_time_grace_days) days of its end
--   / sales files (the period a file declares, else its dates; a corrected re-send is judged by when its period
--   first arrived, not as a late file); quarantine_rate = rows quarantined / rows read (sales files);
--   stock_variance_rate = reconciliation rows outside tolerance / reconciliation rows;
--   mean_abs_variance_pct = the mean |variance_pct| of its reconciliation rows;
--   expectation_pass_rate = expectation results that passed / results (every suite, every file of the distributor);
--   volume_flags = files the file volume check flagged (rows far off the distributor's like files; warnings).
with loads as (
    select * from {{ ref('fct_file_loads') }} where distributor_code <> 'BRAND'
),

sales_periods as (
    select load_id, distributor_code, period_start, period_end, received_at
    from loads
    where source_kind = 'distributor_sales' and status = 'loaded' and period_end is not null
),

first_delivery as (
    -- per sales file, when its period's last day first arrived: its own receipt, or an earlier file covering it
    select later.load_id, min(earlier.received_at) as first_received_at
    from sales_periods as later
    inner join sales_periods as earlier
        on earlier.distributor_code = later.distributor_code
        and earlier.received_at <= later.received_at
        and later.period_end between earlier.period_start and earlier.period_end
    group by later.load_id
),

files as (
    select
        distributor_code,
        count(*) filter (where source_kind = 'distributor_sales') as sales_files,
        count(*) filter (
            where source_kind = 'distributor_sales' and status = 'loaded'
            and {{ days_diff('period_end', 'first_delivery.first_received_at::date') }} <= {{ var('on_time_grace_days', 3) }}
        ) as sales_files_on_time,
        count(*) filter (where status = 'failed') as files_failed,
        count(*) filter (where is_superseded) as files_superseded,
        sum(rows_read) filter (where source_kind = 'distributor_sales') as sales_rows_read,
        sum(rows_quarantined) filter (where source_kind = 'distributor_sales') as sales_rows_quarantined,
        max(received_at) filter (where source_kind = 'distributor_sales') as last_sales_file_at,
        max(period_end) filter (where source_kind = 'distributor_sales') as sales_covered_to
    from loads
    left join first_delivery using (load_id)
    group by distributor_code
),

expectations as (
    select
        distributor_code,
        count(*) as expectations_evaluated,
        count(*) filter (where not success) as expectations_failed,
        count(*) filter (where not success and severity = 'file') as file_level_failures,
        count(*) filter (where not success and is_volume_check) as volume_flags
    from {{ ref('fct_data_quality_results') }}
    group by distributor_code
),

stock as (
    select
        distributor_code,
        count(*) as reconciliation_rows,
        count(*) filter (where not is_within_tolerance) as rows_outside_tolerance,
        avg(abs(variance_pct)) as mean_abs_variance_pct
    from {{ ref('fct_distributor_stock_reconciliation') }}
    group by distributor_code
)

select
    distributors.distributor_code,
    distributors.distributor_name,
    distributors.zone,
    distributors.region,
    distributors.state,
    distributors.sales_file_cadence,
    coalesce(files.sales_files, 0) as sales_files,
    coalesce(files.sales_files_on_time, 0) as sales_files_on_time,
    round(files.sales_files_on_time / nullif(files.sales_files, 0), 4) as on_time_rate,
    coalesce(files.files_failed, 0) as files_failed,
    coalesce(files.files_superseded, 0) as files_superseded,
    coalesce(files.sales_rows_read, 0) as sales_rows_read,
    coalesce(files.sales_rows_quarantined, 0) as sales_rows_quarantined,
    round(files.sales_rows_quarantined / nullif(files.sales_rows_read, 0), 4) as quarantine_rate,
    files.last_sales_file_at,
    files.sales_covered_to,
    coalesce(stock.reconciliation_rows, 0) as reconciliation_rows,
    coalesce(stock.rows_outside_tolerance, 0) as stock_rows_outside_tolerance,
    round(stock.rows_outside_tolerance / nullif(stock.reconciliation_rows, 0), 4) as stock_variance_rate,
    round(stock.mean_abs_variance_pct, 2) as mean_abs_variance_pct,
    coalesce(expectations.expectations_evaluated, 0) as expectations_evaluated,
    coalesce(expectations.expectations_failed, 0) as expectations_failed,
    round(
        1 - expectations.expectations_failed / nullif(expectations.expectations_evaluated, 0), 4
    ) as expectation_pass_rate,
    coalesce(expectations.file_level_failures, 0) as file_level_failures,
    coalesce(expectations.volume_flags, 0) as volume_flags
from {{ ref('dim_distributor') }} as distributors
left join files using (distributor_code)
left join stock using (distributor_code)
left join expectations using (distributor_code)
