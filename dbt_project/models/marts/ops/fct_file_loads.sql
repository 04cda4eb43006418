-- One row per file seen by the ingest: its accounting, whether a later file superseded it, and whether it was
-- read again after its failure was fixed (a retry of the same bytes).
with loads as (
    select * from {{ ref('stg_ingest__loads') }}
),

supersessions as (
    select * from {{ ref('int_ingest__supersessions') }}
),

superseded as (
    select
        loads.load_id,
        max(supersessions.superseding_file_name) as superseded_by_file_name,
        bool_or(supersessions.covers_from <= loads.period_start and supersessions.covers_to >= loads.period_end)
            as is_superseded
    from loads
    inner join supersessions on supersessions.superseded_load_id = loads.load_id
    group by loads.load_id
)

select
    loads.load_id,
    loads.file_name,
    loads.file_sha256,
    loads.source_kind,
    loads.distributor_code,
    loads.file_size,
    loads.period_start,
    loads.period_end,
    loads.received_at,
    loads.loaded_at,
    loads.status,
    loads.error_code,
    loads.error,
    loads.rows_read,
    loads.rows_loaded,
    loads.rows_quarantined,
    loads.rows_deduplicated,
    loads.rows_skipped,
    coalesce(superseded.is_superseded, false) as is_superseded,
    superseded.load_id is not null as has_superseded_days,
    superseded.superseded_by_file_name,
    loads.retry_of_load_id,
    retries.load_id as retried_by_load_id
from loads
left join superseded on superseded.load_id = loads.load_id
left join loads as retries on retries.retry_of_load_id = loads.load_id
