-- One row per file the ingest saw: the ledger, typed, with the tables each load wrote as a list.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('ingest', 'ledger', committed_only=false) }}",
) }}
select
    load_id,
    file_sha256,
    source_kind,
    distributor_code,
    file_name,
    file_size,
    {{ split_to_list("coalesce(table_name, '')", "','") }} as tables_written,
    period_start,
    period_end,
    received_at,
    loaded_at,
    rows_read,
    rows_loaded,
    rows_quarantined,
    rows_deduplicated,
    rows_skipped,
    status,
    error_code,
    error,
    retry_key,
    retry_of_load_id
from {{ landed_loads('ingest', 'ledger', lake_load_id_column='load_id') }}
