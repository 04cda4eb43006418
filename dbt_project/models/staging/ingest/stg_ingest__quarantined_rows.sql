-- Rows the ingest did not load, with the reason and the raw cells, for loads that committed; and the structured
-- subject fields (ingest/core/rows.py SUBJECT_SCHEMA) beside the sentence.
{{ config(
    materialized='incremental',
    tags=['landing'],
    incremental_strategy='append',
    on_schema_change='append_new_columns',
    pre_hook="{{ land_new_loads('ingest', 'quarantine', any_status=true) }}",
) }}
with landed as (
    {%- if target.type == 'spark' %}
    -- Spark merges the columns of every quarantine file (profiles.yml): the lake's recent files hold the subject
    -- fields (a lake written before they existed is not ported to Spark)
    select * from {{ landed_loads('ingest', 'quarantine') }}
    {%- else %}
    -- quarantine files (and a _schema.parquet) written before the subject fields existed have none of their
    -- columns: this typed empty row gives them, null on those rows, whatever the files hold
    select
        null::varchar as subject,
        null::varchar as subject_kind,
        null::struct(code varchar, name varchar, score double)[] as suggestions
    where false
    union all by name
    select * from {{ landed_loads('ingest', 'quarantine') }}
    {%- endif %}
)

select
    q._load_id as load_id,
    q._source_file as source_file,
    q._sheet as sheet,
    q._row_number as row_number,
    q.source_kind,
    q.distributor_code,
    q.reason_code,
    q.reason,
    q.raw_values,
    q.subject,
    q.subject_kind,
    q.suggestions
from landed as q
where q._load_id in (select load_id from {{ ref('stg_ingest__loads') }})
