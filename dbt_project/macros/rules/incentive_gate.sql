{#- A rep incentive gate (fct_rep_incentive): passed when the plan sets no minimum, when the metric reaches the
    minimum, or, with nothing measured (no field-app calls, no outlets invoiced), as the plan's
    gate_when_unmeasured says ('pass' or 'fail'). -#}
{% macro incentive_gate(metric, minimum) -%}
case
    when {{ minimum }} is null then true
    when {{ metric }} is null then gate_when_unmeasured = 'pass'
    else {{ metric }} >= {{ minimum }}
end
{%- endmacro %}
