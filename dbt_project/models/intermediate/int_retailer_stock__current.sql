-- Retailer stock counts that marts see: a re-sent file replaces the days it covers for its sender (a distributor's
-- field-app export, a chain's store inventory), the raw layer keeping both.
{{ current_rows(ref('stg_retailer_stock__counts'), 'count_date') }}
