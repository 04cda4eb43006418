{#-
Incremental models by business date, with a lookback that late files decide.

Each incremental model stores `_built_through`: the newest loaded_at of the ledger when the row was built. A
nightly run rebuilds every business date from `window_from` on, where window_from is the earliest period_start
of the loads (of the model's source kinds) committed since the model's newest `_built_through`. A late or re-sent
file for an old period therefore pulls the window back to that period; a normal night touches only its new
days. A new masters snapshot, or a changed dimension fingerprint, rebuilds everything (window_from = 1900-01-01).

The window is computed once, by the model's pre-hook, into `intermediate.<model>__window`, then the hook deletes
the target's rows from window_from on; the model's select inserts them again from the current rows. A full
refresh (or the first build) skips all this. Keys are dates, not composite unique keys (dbt-core #11799).
-#}

{% macro window_relation() -%}
intermediate.{{ this.identifier }}__window
{%- endmacro %}

{% macro built_through() -%}
(select max(loaded_at) from {{ ref('stg_ingest__loads') }} where status = 'loaded')
{%- endmacro %}

{#- pre-hook: compute the window and delete what it covers. `date_column` is the target's business date;
    `align` ('day' or 'month') rounds window_from down for models keyed by month; `fingerprint` is an optional
    SQL expression over the current dimensions stored in `_dims_fingerprint`. -#}
{% macro incremental_window_prepare(source_kinds, date_column, align='day', fingerprint=none) -%}
{%- if is_incremental() -%}
create or replace table {{ window_relation() }} as
with watermark as (
    select coalesce(max(_built_through), timestamp '1900-01-01') as built_through
    {%- if fingerprint %}, arg_max(_dims_fingerprint, _built_through) as dims_fingerprint{% endif %}
    from {{ this }}
),

changed as (
    select loads.source_kind, loads.period_start
    from {{ ref('stg_ingest__loads') }} as loads, watermark
    where loads.status = 'loaded'
      and loads.loaded_at > watermark.built_through
      and loads.source_kind in ('masters'{% for kind in source_kinds %}, '{{ kind }}'{% endfor %})
)

select
    case
        when bool_or(changed.source_kind = 'masters')
        {%- if fingerprint %} or (select dims_fingerprint from watermark) is distinct from ({{ fingerprint }}){% endif %}
            then date '1900-01-01'
        else date_trunc('{{ align }}', min(changed.period_start))::date
    end as window_from
from changed;

delete from {{ this }}
where {{ date_column }} >= coalesce((select window_from from {{ window_relation() }}), date '9999-12-31')
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}

{#- in the model's where clause: only the dates the window covers (everything on a full build). -#}
{% macro in_incremental_window(date_expression) -%}
{%- if is_incremental() -%}
{{ date_expression }} >= coalesce((select window_from from {{ window_relation() }}), date '9999-12-31')
{%- else -%}
true
{%- endif -%}
{%- endmacro %}

{#- What fct_secondary_sales copies from its dimensions: when it changes, the fact is rebuilt whole. -#}
{% macro secondary_sales_dims_fingerprint() -%}
(select md5(string_agg(concat_ws('|', outlet_code, master_outlet_id, beat_code, distributor_code), ',' order by outlet_code))
 from {{ ref('dim_outlet') }})
|| (select md5(string_agg(concat_ws('|', sku_code, brand, category), ',' order by sku_code)) from {{ ref('dim_sku') }})
|| (select md5(string_agg(concat_ws('|', distributor_code, zone, region, state), ',' order by distributor_code))
    from {{ ref('dim_distributor') }})
{%- endmacro %}

{#- The window's first day as a SQL expression (1900-01-01 on a full build), for models that need it twice. -#}
{% macro window_from_sql() -%}
{%- if is_incremental() -%}
(select coalesce(window_from, date '9999-12-31') from {{ window_relation() }})
{%- else -%}
date '1900-01-01'
{%- endif -%}
{%- endmacro %}

{#- What the distributor x SKU facts (stock ledger, reconciliation) copy from their dimensions: the distributor's
    zone, region and state and the SKU's brand and category. When it changes, the fact is rebuilt whole. -#}
{% macro distributor_sku_dims_fingerprint() -%}
(select md5(string_agg(concat_ws('|', distributor_code, zone, region, state), ',' order by distributor_code))
 from {{ ref('dim_distributor') }})
|| (select md5(string_agg(concat_ws('|', sku_code, brand, category), ',' order by sku_code)) from {{ ref('dim_sku') }})
{%- endmacro %}

{#- What the marts that place a sale by its date copy: secondary_sales_dims_fingerprint's dimensions and the
    outlets' placements in business time (int_outlets__versions: a new version rebuilds them whole). -#}
{% macro dated_sales_dims_fingerprint() -%}
{{ secondary_sales_dims_fingerprint() }}
|| (select md5(string_agg(concat_ws('|', outlet_code, effective_from, beat_code, distributor_code), ','
        order by outlet_code, effective_from))
    from {{ ref('int_outlets__versions') }})
{%- endmacro %}
