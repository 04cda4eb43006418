-- The data-quality history: every expectation result of every committed load, one row per load x suite x
-- expectation, with the file's source kind, distributor and outcome, so a person sees per source and distributor
-- which checks failed, when, and how many rows they caught.
select
    md5(concat_ws('|', results.load_id, results.suite, results.expectation)) as result_key,
    results.load_id,
    results.source_kind,
    results.distributor_code,
    results.file_name,
    loads.received_at,
    loads.status as file_status,
    results.suite,
    results.table_name,
    results.expectation,
    results.column_name,
    results.severity,
    results.success,
    results.table_name = 'volume' as is_volume_check,
    results.unexpected_count,
    results.element_count,
    round(100.0 * results.unexpected_count / nullif(results.element_count, 0), 2) as unexpected_pct,
    results.observed_value,
    results.validated_at,
    results.validated_at::date as validated_on
from {{ ref('stg_ingest__validations') }} as results
inner join {{ ref('stg_ingest__loads') }} as loads on loads.load_id = results.load_id
