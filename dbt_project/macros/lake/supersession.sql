{#- Rows of `relation` whose load is not superseded for their business date.
    A row of load L with business date d is dropped when a later loaded load (received_at, load_id) of the
    same source kind and distributor covers d (docs/contracts.md, "Supersession"). The raw layer keeps both.
    Written as an anti-join (left join, keep the rows that found no superseding load): DuckDB probes the few
    supersessions once per row. The same rule as a correlated `not exists` made DuckDB hash every row's
    (load, date) pair first, 2.5x slower on 20M lines (bench/README.md, session 5). A row that two later loads
    cover joins twice and is dropped either way; a current row joins nothing and comes out once. -#}
{% macro current_rows(relation, date_column) -%}
select rows.*
from {{ relation }} as rows
left join {{ ref('int_ingest__supersessions') }} as superseding
    on superseding.superseded_load_id = rows.load_id
    and rows.{{ date_column }} between superseding.covers_from and superseding.covers_to
where superseding.superseded_load_id is null
{%- endmacro %}

{#- The rows of the latest loaded snapshot of a master table (full snapshots: the newest file wins). -#}
{% macro latest_snapshot(relation, table_name) -%}
select rows.*
from {{ relation }} as rows
where rows._load_id = (
    select loads.load_id
    from {{ ref('stg_ingest__loads') }} as loads
    where loads.status = 'loaded' and {{ list_has('loads.tables_written', "'" ~ table_name ~ "'") }}
    order by loads.received_at desc, loads.load_id desc
    limit 1
)
{%- endmacro %}

{#- True when a committed sales file of the distributor covers the day (its period holds it): for that
    distributor and day the file wins over the Tally Day Book (int_secondary_sales__current). Decided on the
    ledger, not on the file's lines, so a filter on the day still reaches the scans of both sources. A file that
    loaded no row covers nothing. -#}
{% macro sales_file_covers(distributor_code, business_date) -%}
exists (
    select 1
    from {{ ref('stg_ingest__loads') }} as sales_files
    where sales_files.status = 'loaded'
      and sales_files.source_kind = 'distributor_sales'
      and sales_files.distributor_code = {{ distributor_code }}
      and sales_files.rows_loaded > 0
      and {{ business_date }} between sales_files.period_start and sales_files.period_end
)
{%- endmacro %}
