-- For every committed load, the later loads of the same source kind and distributor whose period overlaps it:
-- rows of the earlier load dated inside a later load's period are superseded by it (docs/contracts.md).
with loads as (
    select load_id, source_kind, distributor_code, file_name, received_at, period_start, period_end
    from {{ ref('stg_ingest__loads') }}
    where status = 'loaded' and period_start is not null and source_kind <> 'masters'
)

select
    earlier.load_id as superseded_load_id,
    later.load_id as superseding_load_id,
    later.file_name as superseding_file_name,
    greatest(earlier.period_start, later.period_start) as covers_from,
    least(earlier.period_end, later.period_end) as covers_to
from loads as earlier
inner join loads as later
    on later.source_kind = earlier.source_kind
    and later.distributor_code = earlier.distributor_code
    and later.load_id <> earlier.load_id
    and (
        later.received_at > earlier.received_at
        or (later.received_at = earlier.received_at and later.load_id > earlier.load_id)
    )
    and later.period_start <= earlier.period_end
    and later.period_end >= earlier.period_start
