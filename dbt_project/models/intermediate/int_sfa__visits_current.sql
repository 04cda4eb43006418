-- One row per field-app visit: a visit synced more than once (in several files) counts once, the sync with
-- the latest server time winning (then the latest load).
select *
from {{ ref('stg_sfa__visits') }}
qualify row_number() over (
    partition by distributor_code, visit_id order by server_time desc, load_id desc
) = 1
