-- Field-app visits from committed loads.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('sfa', 'sfa_visits') }}",
) }}
select
    v._load_id as load_id,
    v._row_number as row_number,
    v._source_file as source_file,
    v.distributor_code,
    v.visit_id,
    v.rep_code,
    v.outlet_code,
    v.latitude,
    v.longitude,
    v.device_time,
    v.server_time,
    v.visit_date,
    v.productive as app_productive_flag
from {{ landed_loads('sfa', 'sfa_visits') }} as v
where v._load_id in (select load_id from {{ ref('stg_ingest__loads') }} where status = 'loaded')
