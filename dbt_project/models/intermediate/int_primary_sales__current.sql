-- ERP lines that marts see: a later ERP file replaces the earlier one for the days it covers.
{{ current_rows(ref('stg_primary_sales__lines'), 'doc_date') }}
