-- Every stored expectation result of a load that committed (a ledger row exists): one row per load x suite x
-- expectation. Results of an interrupted load (no ledger row) are left out, as its rows are.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('ingest', 'validations', any_status=true) }}",
) }}
select
    v.load_id,
    v.file_name,
    v.source_kind,
    v.distributor_code,
    v.suite,
    split_part(v.suite, '.', 2) as table_name,
    v.expectation,
    v.column_name,
    v.severity,
    v.success,
    v.unexpected_count,
    v.element_count,
    v.observed_value,
    v.validated_at
from {{ landed_loads('ingest', 'validations', lake_load_id_column='load_id') }} as v
where v.load_id in (select load_id from {{ ref('stg_ingest__loads') }})
