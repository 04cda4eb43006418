-- Stock statements that marts see: a re-sent statement for a month replaces the earlier one.
{{ current_rows(ref('stg_stock_statement__lines'), 'period_start') }}
