-- The latest snapshot of the brand's schemes master.
with snapshot as (
    {{ latest_snapshot(source('masters', 'masters_schemes'), 'masters_schemes') }}
)
select
    _load_id as load_id,
    scheme_code,
    scheme_name,
    scheme_type,
    {{ split_to_list('sku_codes', "';'") }} as sku_codes,
    start_date,
    end_date,
    min_units,
    discount_pct,
    free_units,
    -- the distributors that run the scheme; empty: every distributor (also in snapshots from before the column)
    {{ split_trimmed_list('distributor_codes', "';'") }} as distributor_codes
from snapshot
