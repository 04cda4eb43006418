{#- Rows of `relation` whose load is not superseded for their business date.
    A row of load L with business date d is dropped when a later loaded load (received_at, load_id) of the
    same source kind and distributor covers d (docs/contracts.md, "Supersession"). The raw layer keeps both. -#}
{% macro current_rows(relation, date_column) -%}
select rows.*
from {{ relation }} as rows
where {{ not_superseded('rows.load_id', 'rows.' ~ date_column) }}
{%- endmacro %}

{#- True when no later load supersedes load `load_id` on `business_date` (both SQL expressions of the outer row). -#}
{% macro not_superseded(load_id, business_date) -%}
not exists (
    select 1
    from {{ ref('int_ingest__supersessions') }} as later
    where later.superseded_load_id = {{ load_id }}
      and {{ business_date }} between later.covers_from and later.covers_to
)
{%- endmacro %}

{#- The rows of the latest loaded snapshot of a master table (full snapshots: the newest file wins). -#}
{% macro latest_snapshot(relation, table_name) -%}
select rows.*
from {{ relation }} as rows
where rows._load_id = (
    select loads.load_id
    from {{ ref('stg_ingest__loads') }} as loads
    where loads.status = 'loaded' and list_contains(loads.tables_written, '{{ table_name }}')
    order by loads.received_at desc, loads.load_id desc
    limit 1
)
{%- endmacro %}

{#- True when a committed sales file of the distributor covers the day (its period holds it): for that
    distributor and day the file wins over the Tally Day Book (int_secondary_sales__current). Decided on the
    ledger, not on the file's lines, so a filter on the day still reaches the scans of both sources. -#}
{% macro sales_file_covers(distributor_code, business_date) -%}
exists (
    select 1
    from {{ ref('stg_ingest__loads') }} as sales_files
    where sales_files.status = 'loaded'
      and sales_files.source_kind = 'distributor_sales'
      and sales_files.distributor_code = {{ distributor_code }}
      and {{ business_date }} between sales_files.period_start and sales_files.period_end
)
{%- endmacro %}
