{#-
The dashboard's drill-down rows: the key of a sales row (distributor x beat x master outlet x SKU) and the names
the Drill-down page groups by, from the dimensions.

    drill_down_names('summed')  the select list: each key column of `summed` with its names
    drill_down_joins('summed')  the four left joins that bring them
    same_sales_key('a', 'b')    a join condition on the four key columns, nulls equal (a line with no beat or no
                                master outlet has a key too)
-#}

{% macro drill_down_names(rows) -%}
    {{ rows }}.distributor_code,
    distributors.distributor_name,
    distributors.zone,
    distributors.region,
    distributors.state,
    {{ rows }}.beat_code,
    beats.beat_name,
    beats.rep_code,
    beats.rep_name,
    {{ rows }}.master_outlet_id,
    outlets.outlet_name,
    outlets.channel,
    outlets.outlet_class,
    {{ rows }}.sku_code,
    skus.sku_name,
    skus.brand,
    skus.category
{%- endmacro %}

{% macro drill_down_joins(rows) -%}
left join {{ ref('dim_distributor') }} as distributors on distributors.distributor_code = {{ rows }}.distributor_code
left join {{ ref('dim_geography') }} as beats on beats.beat_code = {{ rows }}.beat_code
left join {{ ref('dim_outlet') }} as outlets on outlets.outlet_code = {{ rows }}.master_outlet_id
left join {{ ref('dim_sku') }} as skus on skus.sku_code = {{ rows }}.sku_code
{%- endmacro %}

{% macro same_sales_key(left, right) -%}
{{ left }}.distributor_code is not distinct from {{ right }}.distributor_code
        and {{ left }}.beat_code is not distinct from {{ right }}.beat_code
        and {{ left }}.master_outlet_id is not distinct from {{ right }}.master_outlet_id
        and {{ left }}.sku_code is not distinct from {{ right }}.sku_code
{%- endmacro %}
