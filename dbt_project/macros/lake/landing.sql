{#-
Landing the raw lake in the warehouse: each load once.

The lake (ingest/core/lake.py) holds one parquet file per load and table, `<raw>/<table>/<load_id>.parquet`, and
a ledger row per load (its commit marker). Staging models of lake tables are incremental tables that append the
files of loads committed since their last build, so a night opens only the new files, whatever the history
(bench/warehouse_scale.py, benchmark 2), and every later model reads native DuckDB tables.

    {{ config(materialized='incremental', incremental_strategy='append', on_schema_change='append_new_columns',
              pre_hook="{{ land_new_loads('distributor_sales', 'secondary_sales') }}") }}
    select ... from {{ landed_loads('distributor_sales', 'secondary_sales') }} as s

The pre-hook lists the table's files (DuckDB's glob(): names only, no file is opened), keeps those whose load
committed (a ledger row; status 'loaded' unless `any_status`) and is not landed yet (load ids in the model's
table), and keeps the list in a session variable; `landed_loads` reads exactly those files, plus the table's
zero-row `_schema.parquet` so the columns are the contract's even on a night without new files. No SQL is
built from file names: the list travels as a value. A load's files never change once committed (re-sent files
are new loads, superseded in the intermediate layer), so appending by load is complete. A lake rebuilt from
scratch needs `dbt run --full-refresh`, as a new warehouse does.
-#}

{% macro _landing_variable() -%}
landed_files__{{ this.identifier }}
{%- endmacro %}

{% macro _lake_folder(source_name, table_name) -%}
{%- set relation = source(source_name, table_name) -%}
{{- env_var('SELLTHROUGH_RAW_DIR', 'data/raw') | replace("'", "''") }}/{{ relation.identifier -}}
{%- endmacro %}

{#- pre-hook: the files to land this run, into a session variable. `load_id_column` is the model's load id;
    `any_status` lands every load with a ledger row (quarantine, validations); the ledger's own staging model
    passes `committed_only=false` (a ledger file is its load's commit). -#}
{% macro land_new_loads(source_name, table_name, any_status=false, committed_only=true, load_id_column='load_id') -%}
{{ return(adapter.dispatch('land_new_loads', 'sellthrough')(source_name, table_name, any_status, committed_only, load_id_column)) }}
{%- endmacro %}

{#- Spark: no session variable; landed_loads filters the lake view (macros/lake/spark_lake.sql) instead -#}
{% macro spark__land_new_loads(source_name, table_name, any_status, committed_only, load_id_column) -%}
select 1
{%- endmacro %}

{% macro default__land_new_loads(source_name, table_name, any_status, committed_only, load_id_column) -%}
set variable {{ _landing_variable() }} = (
    select coalesce(list(files.file order by files.file), [])
    from glob('{{ _lake_folder(source_name, table_name) }}/*.parquet') as files
    where true
    {%- if committed_only %}
      and parse_filename(files.file, true) in (
          select load_id from {{ ref('stg_ingest__loads') }}
          {%- if not any_status %} where status = 'loaded'{% endif %}
      )
    {%- endif %}
    {%- if is_incremental() %}
      and parse_filename(files.file, true) not in (select distinct {{ load_id_column }} from {{ this }})
    {%- endif %}
)
{%- endmacro %}

{#- in the model's from clause: the files the pre-hook chose (none outside a run: zero rows, right columns).
    `lake_load_id_column`: the load id's column in the lake table (Spark reads it): `_load_id` in the data tables,
    `load_id` in the ingest's own (the ledger, the validations). -#}
{% macro landed_loads(source_name, table_name, load_id_column='load_id', lake_load_id_column='_load_id') -%}
{{ return(adapter.dispatch('landed_loads', 'sellthrough')(source_name, table_name, load_id_column, lake_load_id_column)) }}
{%- endmacro %}

{#- Spark: the table's lake view (every file of the folder), less the loads the model holds already. The model's
    own filter keeps the committed loads, as on DuckDB. -#}
{% macro spark__landed_loads(source_name, table_name, load_id_column, lake_load_id_column) -%}
{%- if is_incremental() -%}
(select * from {{ source(source_name, table_name) }}
 where {{ lake_load_id_column }} not in (select distinct {{ load_id_column }} from {{ this }}))
{%- else -%}
{{ source(source_name, table_name) }}
{%- endif -%}
{%- endmacro %}

{% macro default__landed_loads(source_name, table_name, load_id_column, lake_load_id_column) -%}
read_parquet(
    list_concat(
        ['{{ _lake_folder(source_name, table_name) }}/_schema.parquet'],
        coalesce(try_cast(getvariable('{{ _landing_variable() }}') as varchar[]), [])
    ),
    union_by_name = true
)
{%- endmacro %}
