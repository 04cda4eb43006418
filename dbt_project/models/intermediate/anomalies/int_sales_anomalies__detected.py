"""Sales anomalies found by sellthrough.anomalies (STL residuals with robust z-scores, ruptures change points, the
post-scheme and sales-stopped rules) in the series of int_sales_anomalies__series; fct_sales_anomalies adds the
drill keys. A dbt Python model (run by dbt-duckdb in dbt's own process), so the night's sales are judged the
night they arrive and dbt stays the warehouse's only writer. SELLTHROUGH_ANOMALIES=off builds it empty."""


def model(dbt, session):
    dbt.config(materialized="table")
    from sellthrough.anomalies.nightly import anomalies_enabled, detect_nightly, no_anomalies

    if not anomalies_enabled():
        return no_anomalies()
    series = dbt.ref("int_sales_anomalies__series").pl()
    context = dbt.ref("int_sales_anomalies__context").pl()
    return detect_nightly(series, context)
