-- Data freshness per source kind x inbox folder (a distributor, BRAND or a chain), from the ledger of files
-- (fct_file_loads): files seen and failed, the last file received and loaded, and the last business day its
-- loaded files cover. The dashboard shows it on every page, so nobody acts on a stale number unaware.
with as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
)

select
    loads.source_kind,
    loads.distributor_code,
    distributors.sales_file_cadence,
    count(*) as files,
    count(*) filter (where loads.status = 'failed') as files_failed,
    {{ arg_max('loads.file_name', row_of('loads.received_at, loads.load_id')) }} as last_file,
    max(loads.received_at) as last_received_at,
    max(loads.loaded_at) as last_loaded_at,
    max(loads.period_end) filter (where loads.status = 'loaded') as covered_until,
    sum(loads.rows_loaded) as rows_loaded,
    sum(loads.rows_quarantined) as rows_quarantined,
    any_value(as_of.as_of_date) as as_of_date
from {{ ref('fct_file_loads') }} as loads
cross join as_of
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = loads.distributor_code
group by loads.source_kind, loads.distributor_code, distributors.sales_file_cadence
