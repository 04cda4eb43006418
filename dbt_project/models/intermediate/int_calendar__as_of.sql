-- The business date the KPI marts are "as of": the last day a committed sales file (a distributor's sales file
-- or Tally Day Book) covers
-- (override with var as_of_date). Windows such as "the last 28 days" end here. Read from the ledger, so it
-- costs nothing however long the history.
select
    coalesce(
        {% if var('as_of_date', none) %}date '{{ var("as_of_date") }}'{% else %}null::date{% endif %},
        (
            select max(period_end)
            from {{ ref('stg_ingest__loads') }}
            where status = 'loaded' and source_kind in ('distributor_sales', 'tally_daybook')
        ),
        current_date
    ) as as_of_date
