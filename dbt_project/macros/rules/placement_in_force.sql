{#- The join condition that places an outlet on a business date: the int_outlets__versions row (joined as
    `placements`) of `outlet_code` in force on `on_date`. A version is in force on [effective_from, effective_to),
    an outlet's last version without an end, so one date finds at most one version. -#}
{% macro placement_in_force(outlet_code, on_date, placements='placements') -%}
{{ placements }}.outlet_code = {{ outlet_code }}
    and {{ on_date }} >= {{ placements }}.effective_from
    and ({{ placements }}.effective_to is null or {{ on_date }} < {{ placements }}.effective_to)
{%- endmacro %}
