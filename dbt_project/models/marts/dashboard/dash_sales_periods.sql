-- Net secondary sales per reporting period (dash_periods: mtd, l4w, fytd) x distributor x beat (on the invoice
-- date) x master outlet x SKU, for the period, the previous period and the same period last year, with every
-- drill-down key and name the dashboard shows: zone > region > state > distributor > beat > outlet,
-- brand > category > SKU, the beat's rep, the outlet's channel and class. For fytd, previous = last year.
-- A view over two tables, so no night rewrites a year of rows: the day windows (mtd, l4w) from dash_sales_windows,
-- rebuilt each night from the lines of their days; fytd from dash_sales_fytd, whose rows are replaced by key (the
-- keys with a month to date, or all of them when a month ends or an earlier month changes).
{{ config(materialized='view') }}

{% set measures = ['net_amount', 'net_units', 'previous_net_amount', 'previous_net_units', 'last_year_net_amount', 'last_year_net_units'] %}
{% set keys = [
    'distributor_code', 'distributor_name', 'zone', 'region', 'state', 'beat_code', 'beat_name', 'rep_code',
    'rep_name', 'master_outlet_id', 'outlet_name', 'channel', 'outlet_class', 'sku_code', 'sku_name', 'brand',
    'category',
] %}

select period, {{ (keys + measures) | join(', ') }}
from {{ ref('dash_sales_windows') }}
union all
select
    'fytd' as period,
    {{ keys | join(', ') }},
    net_amount,
    net_units,
    last_year_net_amount as previous_net_amount,
    last_year_net_units as previous_net_units,
    last_year_net_amount,
    last_year_net_units
from {{ ref('dash_sales_fytd') }}
