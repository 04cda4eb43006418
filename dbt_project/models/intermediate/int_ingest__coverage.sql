-- Per source kind and sender (a distributor's code; BRAND for the brand's primary file), the last day its loaded
-- files cover (a file that loaded no row covers nothing). Days after it are files not received yet, not days
-- without sales or invoices: a weekly sender's current week, the days since the brand's last monthly primary
-- file. The stock-out model projects them (sellthrough/forecast/warehouse_inputs.py).
select source_kind, distributor_code, max(period_end) as covered_through
from {{ ref('stg_ingest__loads') }}
where
    status = 'loaded'
    and rows_loaded > 0
    and distributor_code is not null
    and period_end is not null
group by source_kind, distributor_code
