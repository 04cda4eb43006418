-- Secondary-sales lines that marts see: the latest file wins for every distributor and day it covers.
{{ current_rows(ref('stg_distributor_sales__lines'), 'invoice_date') }}
