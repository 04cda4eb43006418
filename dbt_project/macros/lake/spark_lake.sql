{#-
Spark reads the parquet lake through views (a pre-hook of every model, dbt_project.yml): before a model runs, each
lake source it reads is a view `<source>.<table>` over the table's folder, `select * from parquet.`<folder>``,
the same folder the source's DuckDB `external_location` reads. Spark merges the columns of the folder's files
(profiles.yml, spark.sql.parquet.mergeSchema) as DuckDB's union_by_name does. Spark skips files whose name starts
with `_`, so the zero-row `_schema.parquet` is not read: a lake table with no load yet has no columns there, and
its view cannot be made (a model that reads it fails: Spark cannot infer its schema). A CSV source (the review
decisions, `read_csv('<file>', header = true, all_varchar = true)`) is a table over its one file instead (a view
cannot name a data source's options): every column a string, as DuckDB's all_varchar reads it, quoted fields with
doubled quotes as Python's csv module writes them; dropped and made again each time, so it reads the file as it is
now (dropping an external table leaves its file). On DuckDB this renders nothing, and dbt skips an empty hook. (A pre-hook rather
than on-run-start: a run hook is a node of every DuckDB run too, counted in its results.)
-#}
{% macro spark_lake_views() -%}
{%- if target.type != 'spark' or not execute -%}{{ return('') }}{%- endif -%}
{%- set needed = [] -%}
{%- for parent in model.depends_on.nodes if parent.startswith('source.') and parent not in needed -%}
    {%- do needed.append(parent) -%}
{%- endfor -%}
{%- for unique_id in needed -%}
    {%- set source_node = graph.sources[unique_id] -%}
    {%- set location = source_node.config.meta.get('external_location') or source_node.meta.get('external_location', '') -%}
    {#- read_parquet('<folder>/*.parquet', ...): the folder between the first two quotes -#}
    {%- set quoted = location.split("'")[1] if location.startswith("read_parquet('") else '' -%}
    {%- set csv_file = location.split("'")[1].replace('{identifier}', source_node.identifier) if location.startswith("read_csv('") else '' -%}
    {%- if csv_file -%}
        {%- set table = api.Relation.create(schema=source_node.schema, identifier=source_node.identifier) -%}
        {%- do run_query('create schema if not exists ' ~ source_node.schema) -%}
        {%- do run_query('drop table if exists ' ~ table) -%}
        {%- do run_query('create table ' ~ table ~ " using csv options (path '" ~ csv_file ~ "', header 'true', escape '\"', multiLine 'true')") -%}
    {%- elif quoted.endswith('/*.parquet') -%}
        {%- set folder = quoted[:-10].replace('{identifier}', source_node.identifier) -%}
        {%- set view = api.Relation.create(schema=source_node.schema, identifier=source_node.identifier) -%}
        {%- do run_query('create schema if not exists ' ~ source_node.schema) -%}
        {%- do run_query('create or replace view ' ~ view ~ ' as select * from parquet.`' ~ folder ~ '`') -%}
    {%- endif -%}
{%- endfor -%}
{{ return('') }}
{%- endmacro %}
