-- Every row that was read but not loaded, with its file, row, reason and raw cells: the fix-it list.
select
    quarantined.load_id,
    loads.file_name,
    quarantined.sheet,
    quarantined.row_number,
    quarantined.source_kind,
    quarantined.distributor_code,
    quarantined.reason_code,
    quarantined.reason,
    quarantined.raw_values,
    quarantined.subject,
    quarantined.subject_kind,
    quarantined.suggestions,
    loads.received_at,
    retries.load_id is not null as is_retried
from {{ ref('stg_ingest__quarantined_rows') }} as quarantined
inner join {{ ref('stg_ingest__loads') }} as loads on loads.load_id = quarantined.load_id
left join {{ ref('stg_ingest__loads') }} as retries on retries.retry_of_load_id = quarantined.load_id
