-- Scheme claims from committed loads: what each distributor claims per scheme, retailer and month.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('scheme_claims', 'scheme_claims') }}",
) }}
select
    c._load_id as load_id,
    c._source_file as source_file,
    c._sheet as sheet,
    c._row_number as row_number,
    c.distributor_code,
    c.claim_month,
    c.scheme_code,
    c.party_code,
    c.party_name,
    c.claimed_amount
from {{ landed_loads('scheme_claims', 'scheme_claims') }} as c
where c._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
