{#- Every file's rows: read = loaded + quarantined + deduplicated. -#}
{% test rows_accounted_for(model) %}
select *
from {{ model }}
where rows_read <> rows_loaded + rows_quarantined + rows_deduplicated
{% endtest %}
