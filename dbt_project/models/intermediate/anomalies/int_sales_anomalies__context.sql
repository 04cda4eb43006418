-- What the anomaly detector needs besides the series, one row per fact (`fact`):
--   'scheme': a scheme or SKU series (`level`) with the start and end of a scheme on it (post-scheme drops; a
--     scheme's days are no reference for the series' usual level);
--   'festival': the season before each of var(anomaly_uplift_festivals) (festivals seed, var(festival_season_days)
--     before the day), an uplift on every series (level null): no spike in it is an anomaly;
--   'delivery': goods the brand delivered a distributor on a day (sales stopped while primary continues);
--   'bounds': as_of_date (the last day a sales file covers) and complete_through (the last day every
--     distributor still sending files has covered: days after it are not judged, their files may be late).
with coverage as (
    select distributor_code, max(covered_through) as covered_through
    from {{ ref('int_ingest__coverage') }}
    where source_kind in ('distributor_sales', 'tally_daybook')
    group by distributor_code
),

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of') }}
)

select
    'scheme' as fact,
    'scheme' as level,
    schemes.scheme_code || '|' || distributors.distributor_code as series_key,
    schemes.scheme_code,
    schemes.start_date,
    schemes.end_date,
    null::double as units
from {{ ref('dim_scheme') }} as schemes
inner join {{ ref('dim_distributor') }} as distributors
    on len(schemes.distributor_codes) = 0 or list_contains(schemes.distributor_codes, distributors.distributor_code)
union all
select 'scheme', 'sku', unnest(sku_codes), scheme_code, start_date, end_date, null
from {{ ref('dim_scheme') }}
union all
select
    'festival',
    null,
    null,
    null,
    festival_date - {{ var('festival_season_days') }},
    festival_date,
    null
from {{ ref('festivals') }}
where festival_name in (
    {%- for name in var('anomaly_uplift_festivals') %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor -%}
)
union all
select 'delivery', 'distributor', distributor_code, null, coalesce(delivery_date, doc_date), null, sum(signed_quantity_units)::double
from {{ ref('fct_primary_sales') }}
where doc_type = 'invoice'
group by all
union all
select
    'bounds',
    null,
    null,
    null,
    (select as_of_date from as_of),
    coalesce(
        (
            select min(covered_through)
            from coverage
            -- a distributor silent for more than two weeks has stopped: it does not hold the others back
            where covered_through >= (select as_of_date from as_of) - 14
        ),
        (select as_of_date from as_of)
    ),
    null
