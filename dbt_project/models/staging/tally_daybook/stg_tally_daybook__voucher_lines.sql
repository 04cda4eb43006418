-- Tally voucher stock lines from committed loads: sales and credit notes (retailer returns) are secondary
-- sales; purchases and debit notes are the distributor's own record of goods from and back to the brand.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('tally_daybook', 'tally_voucher_lines') }}",
) }}
select
    v._load_id as load_id,
    v._source_file as source_file,
    v._sheet as sheet,
    v._row_number as row_number,
    v.distributor_code,
    v.voucher_key,
    v.voucher_type,
    v.base_type,
    v.voucher_number,
    v.voucher_date,
    v.party_name,
    v.item_raw,
    v.sku_code,
    v.quantity,
    v.unit,
    v.quantity_units,
    v.free_units,
    v.quantity_flag,
    v.rate,
    v.amount,
    v.line_type
from {{ landed_loads('tally_daybook', 'tally_voucher_lines') }} as v
where v._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
