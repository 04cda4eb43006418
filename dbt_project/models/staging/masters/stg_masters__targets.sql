-- The brand's sales targets. A targets file carries the months it names and replaces those months whole: for each
-- month, the rows of the latest loaded file (received_at, then load id) that has the month. So finance can send
-- next month's targets alone, or re-send one month corrected, without re-sending the year.
-- A row is a rep's target (rep_code named), a beat's (beat_code) or else its distributor's (target_level), for all
-- products, a brand or an SKU group (product_scope), in units (billed pieces) or value (net rupees).
with loads as (
    select load_id, received_at
    from {{ ref('stg_ingest__loads') }}
    where status = 'loaded' and {{ list_has('tables_written', "'masters_targets'") }}
),

rows as (
    select targets.*, loads.received_at
    from {{ source('masters', 'masters_targets') }} as targets
    inner join loads on loads.load_id = targets._load_id
),

current_rows as (
    select *
    from rows
    qualify dense_rank() over (partition by month_start order by received_at desc, _load_id desc) = 1
)

select
    md5(concat_ws('|', month_start, distributor_code, rep_code, beat_code, brand, sku_group, measure)) as target_key,
    _load_id as load_id,
    month_start,
    case when rep_code is not null then 'rep' when beat_code is not null then 'beat' else 'distributor' end
        as target_level,
    distributor_code,
    beat_code,
    rep_code,
    case when sku_group is not null then 'sku_group' when brand is not null then 'brand' else 'all' end
        as product_scope,
    brand,
    sku_group,
    measure,
    target
from current_rows
