{#-
The first day the two stock marts read of int_distributor_stock__daily_movements (a view over the current
lines), as SQL date literals computed when the model compiles, so the filter reaches the scans of the lines and
a night reads its window, not the history. A full build (or the first) reads everything: date '1900-01-01'.
-#}

{#- fct_distributor_stock_reconciliation: the earliest start of the statement periods a night recomputes (those
    ending on or after the incremental window's first day). -#}
{% macro reconciliation_movements_from() -%}
{%- set statements = ref('int_stock_statement__current') -%}
{%- if not is_incremental() -%}{{ return("date '1900-01-01'") }}{%- endif -%}
{%- if not execute -%}{{ return("date '9999-12-31'") }}{%- endif -%}
{%- set query -%}
select {{ iso_date_text("coalesce(min(period_start), date '9999-12-31')") }}
from {{ statements }}
where period_end >= {{ incremental_window_from() }}
{%- endset -%}
{{ return(_queried_date_literal(query, 'reconciliation movements')) }}
{%- endmacro %}

{#- fct_distributor_stock_daily: the first stock date a night rebuilds. The incremental window's first day, or the
    day after the last day built if that is earlier (a night whose files start later than yesterday leaves no
    gap). -#}
{% macro stock_ledger_rebuild_from() -%}
{%- if not is_incremental() -%}{{ return("date '1900-01-01'") }}{%- endif -%}
{%- if not execute -%}{{ return("date '9999-12-31'") }}{%- endif -%}
{%- set query -%}
select {{ iso_date_text('rebuild.rebuild_from') }}
from (select least(
    {{ incremental_window_from() }},
    (select coalesce(max(stock_date) + 1, date '1900-01-01') from {{ this }})
) as rebuild_from) as rebuild
{%- endset -%}
{{ return(_queried_date_literal(query, 'stock ledger rebuild')) }}
{%- endmacro %}

{#- fct_distributor_stock_daily: the first day of movements the rebuild reads: the earliest anchor (statement
    opening) in effect on `rebuild_from` over every distributor x SKU (their first anchor when none is that
    early), since each running sum restarts at its anchor. -#}
{% macro stock_ledger_movements_from(rebuild_from) -%}
{%- set statements = ref('int_stock_statement__current') -%}
{%- if not is_incremental() -%}{{ return("date '1900-01-01'") }}{%- endif -%}
{%- if not execute -%}{{ return("date '9999-12-31'") }}{%- endif -%}
{%- set query -%}
select {{ iso_date_text("coalesce(min(first_day), date '9999-12-31')") }}
from (
    select coalesce(max(period_start) filter (where period_start <= {{ rebuild_from }}), min(period_start)) as first_day
    from {{ statements }}
    group by distributor_code, sku_code
)
{%- endset -%}
{{ return(_queried_date_literal(query, 'stock ledger movements')) }}
{%- endmacro %}
