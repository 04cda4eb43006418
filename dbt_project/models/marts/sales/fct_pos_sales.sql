-- Modern-trade sell-out (chain store to shopper): one row per chain x store x article (its EAN, or the chain's
-- product code where the file has no EAN) x day (or week), the latest figure only; the lines of one file on a key
-- are summed (a till writes one row per unit sold). A chain's later file covering a date wins for that chain (restatements 14-60 days back replace
-- the weeks they cover: int_ingest__supersessions, the chain code is the load's distributor code).
-- Keyed for drill-down like fct_secondary_sales: zone > region > state > distributor > beat > outlet and
-- brand > category > SKU. A store is an outlet of the outlet master (masters/chain_stores), placed like any outlet:
-- its distributor and beat (and the distributor's zone, region, state) are the ones in force on sale_date, the
-- first day of the week for weekly rows (int_outlets__versions, business time); master_outlet_id is today's.
with current_lines as (
    {{ current_rows(ref('stg_pos_sales__lines'), 'sale_date') }}
),

lines as (
    select
        chain_code,
        store_code,
        ean,
        product_code,
        sale_date,
        date_grain,
        max(outlet_code) as outlet_code,
        max(sku_code) as sku_code,
        max(item_raw) as item_raw,
        sum(units) as units,
        sum(sales_value) as sales_value,
        count(*) as source_rows,
        max(load_id) as load_id,
        max(source_file) as source_file
    from current_lines
    group by chain_code, store_code, ean, product_code, sale_date, date_grain
),

outlets as (
    select outlet_code, master_outlet_id from {{ ref('dim_outlet') }}
),

placements as (
    select outlet_code, distributor_code, beat_code, channel, outlet_class, effective_from, effective_to
    from {{ ref('int_outlets__versions') }}
),

distributors as (
    select distributor_code, zone, region, state from {{ ref('dim_distributor') }}
),

skus as (
    select sku_code, brand, category from {{ ref('dim_sku') }}
)

select
    md5(concat_ws(
        '|', lines.chain_code, lines.store_code, coalesce(lines.ean, ''), coalesce(lines.product_code, ''),
        cast(lines.sale_date as {{ dbt.type_string() }}), lines.date_grain
    )) as pos_sales_key,
    lines.sale_date,
    lines.date_grain,
    lines.chain_code,
    lines.store_code,
    lines.outlet_code,
    outlets.master_outlet_id,
    placements.distributor_code,
    placements.beat_code,
    placements.channel,
    placements.outlet_class,
    distributors.zone,
    distributors.region,
    distributors.state,
    lines.ean,
    lines.product_code,
    lines.item_raw,
    lines.sku_code,
    skus.brand,
    skus.category,
    lines.units,
    lines.sales_value,
    lines.source_rows,
    lines.load_id as _load_id,
    lines.source_file as _source_file
from lines
left join outlets on outlets.outlet_code = lines.outlet_code
left join placements on {{ placement_in_force('lines.outlet_code', 'lines.sale_date') }}
left join distributors on distributors.distributor_code = placements.distributor_code
left join skus on skus.sku_code = lines.sku_code
