{#-
How a unit slip (cases read as pieces, or pieces as cases) leaves a stock-statement line, for likely_cause in
fct_distributor_stock_reconciliation. Each is a boolean SQL expression of the line's reported and computed
closing and the SKU's case size (false when the case size is unknown or 1).
- closing_in_other_unit: the reported closing is the computed one in cases (x the case size within one case: a
  statement in cases rounds to whole cases; at least one case computed and a non-zero closing reported), or the
  computed one x the case size (within the tolerance %): the line was written in the other unit. Evidence on its
  own.
- whole_cases_off: reported - computed is a non-zero whole number of cases. On its own a coincidence one time in
  units_per_case (120 is 5 cases of 24), so it counts as a unit slip only beside other evidence.
-#}
{% macro closing_in_other_unit(reported, computed, units_per_case) -%}
coalesce({{ units_per_case }} > 1 and (
    -- written in cases (rounded to a whole case): reported x case size within one case of the computed units
    ({{ reported }} > 0 and abs({{ computed }}) >= {{ units_per_case }}
        and abs({{ reported }} * {{ units_per_case }} - {{ computed }}) < {{ units_per_case }})
    -- or ours read in cases as pieces: the reported units are the computed ones x the case size
    or abs({{ reported }} - {{ computed }} * {{ units_per_case }})
        <= greatest(1, {{ var('stock_variance_tolerance_pct') }} / 100.0 * abs({{ computed }} * {{ units_per_case }}))
), false)
{%- endmacro %}

{% macro whole_cases_off(reported, computed, units_per_case) -%}
coalesce(
    {{ units_per_case }} > 1
    and {{ reported }} <> {{ computed }}
    and ({{ reported }} - {{ computed }}) % {{ units_per_case }} = 0,
    false
)
{%- endmacro %}
