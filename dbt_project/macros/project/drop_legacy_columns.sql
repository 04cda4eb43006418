{#- post-hook: drop columns a table no longer has in its model but an older warehouse still holds (e.g. the
    outlet snapshot's raw `phone`, now `phone_masked`): dbt adds new columns to a snapshot, never removes old
    ones. A no-op statement when none is present. -#}
{% macro drop_legacy_columns(relation, columns) -%}
{%- if execute -%}
{%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
{%- set legacy = columns | select('in', present) | list -%}
{%- for column in legacy %}
alter table {{ relation }} drop column {{ adapter.quote(column) }};
{%- endfor %}
{%- if not legacy %}select 1{% endif -%}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
