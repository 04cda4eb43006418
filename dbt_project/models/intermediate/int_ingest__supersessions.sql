-- For every committed load, the later loads of the same source kind, distributor and stream whose period
-- overlaps it, and the attempt a retried file replaces whole (below): rows of the earlier load dated inside a later
-- load's period are superseded by it (docs/contracts.md). A period is the one the file declares (title rows, name,
-- layout), else its dates; a load that loaded no row supersedes nothing (ingest records no period for it; older
-- ledgers are filtered here). A stream is one sequence of files that replace each other: for most kinds all of a
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
    where status = 'loaded' and period_start is not null and source_kind <> 'masters' and rows_loaded > 0
),

by_period as (
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
),

-- a file read again (its failure fixed, or its load damaged in the lake and set aside: ingest/core/retries.py)
-- replaces every row of the attempt it retries, whatever the dates
retried as (
    select
        attempt.retry_of_load_id as superseded_load_id,
        attempt.load_id as superseding_load_id,
        attempt.file_name as superseding_file_name,
        date '0001-01-01' as covers_from,
        date '9999-12-31' as covers_to
    from {{ ref('stg_ingest__loads') }} as attempt
    where attempt.retry_of_load_id is not null
)

-- a pair found both ways (a re-read file also overlaps its own period) is one row
select
    superseded_load_id,
    superseding_load_id,
    any_value(superseding_file_name) as superseding_file_name,
    min(covers_from) as covers_from,
    max(covers_to) as covers_to
from (select * from by_period union all select * from retried)
group by superseded_load_id, superseding_load_id
