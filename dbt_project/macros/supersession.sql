{#- Rows of `relation` whose load is not superseded for their business date.
    A row of load L with business date d is dropped when a later loaded load (received_at, load_id) of the
    same source kind and distributor covers d (docs/contracts.md, "Supersession"). The raw layer keeps both. -#}
{% macro current_rows(relation, date_column) -%}
select rows.*
from {{ relation }} as rows
where not exists (
    select 1
    from {{ ref('int_ingest__supersessions') }} as later
    where later.superseded_load_id = rows.load_id
      and rows.{{ date_column }} between later.covers_from and later.covers_to
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
