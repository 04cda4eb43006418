-- The latest snapshot of the brand's schemes master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_schemes'), 'masters_schemes') }}
)
select
    _load_id as load_id,
    scheme_code,
    scheme_name,
    scheme_type,
    string_split(sku_codes, ';') as sku_codes,
    start_date,
    end_date,
    min_units,
    discount_pct,
    free_units
from snapshot
