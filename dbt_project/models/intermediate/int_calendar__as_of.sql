-- The business date the KPI marts are "as of": the last day any current secondary sale is dated
-- (override with var as_of_date). Windows such as "the last 28 days" end here.
select
    coalesce(
        {% if var('as_of_date', none) %}date '{{ var("as_of_date") }}'{% else %}null::date{% endif %},
        (select max(invoice_date) from {{ ref('int_secondary_sales__current') }}),
        current_date
    ) as as_of_date
