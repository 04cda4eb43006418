-- For every committed load, the later loads of the same source kind, distributor and stream whose period
-- overlaps it: rows of the earlier load dated inside a later load's period are superseded by it
-- (docs/contracts.md). A stream is one sequence of files that replace each other: for most kinds all of a
-- distributor's files; for WhatsApp one chat group (its export's file name, copy suffixes aside), since two
-- groups of one distributor are two different records.
with loads as (
    select
        load_id,
        source_kind,
        distributor_code,
        file_name,
        received_at,
        period_start,
        period_end,
        case
            when source_kind = 'whatsapp' then regexp_replace(
                lower(regexp_replace(file_name, '^.*/', '')),
                '(\s*\(\d+\)|[-_ ]v\d+|[-_ ]copy)*\.(txt|zip)$',
                ''
            )
            else ''
        end as stream
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
    and later.stream = earlier.stream
    and later.load_id <> earlier.load_id
    and (
        later.received_at > earlier.received_at
        or (later.received_at = earlier.received_at and later.load_id > earlier.load_id)
    )
    and later.period_start <= earlier.period_end
    and later.period_end >= earlier.period_start
