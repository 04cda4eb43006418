-- Rows the ingest did not load, with the reason and the raw cells, for loads that committed.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('ingest', 'quarantine', any_status=true) }}",
) }}
select
    q._load_id as load_id,
    q._source_file as source_file,
    q._sheet as sheet,
    q._row_number as row_number,
    q.source_kind,
    q.distributor_code,
    q.reason_code,
    q.reason,
    q.raw_values
from {{ landed_loads('ingest', 'quarantine') }} as q
where q._load_id in (select load_id from {{ ref('stg_ingest__loads') }})
