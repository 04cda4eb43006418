"""Weekly forecasts, 1-8 weeks ahead, per distributor x SKU and brand x region (sellthrough/forecast/).

A dbt Python model: it runs inside the dbt build (the one writer of the warehouse), right after the sales it
reads, and dagster-dbt makes it a Dagster asset of the nightly job. SELLTHROUGH_FORECAST=off builds it empty.
Refitted only when its inputs changed (sellthrough/forecast/memo.py): else the rows built stay, restamped with
the new as-of date."""


def model(dbt, session):
    dbt.config(materialized="table")
    import duckdb
    import polars as pl

    from sellthrough.forecast.hierarchy import FORECAST_SCHEMA, forecast_network
    from sellthrough.forecast.memo import FINGERPRINT_COLUMN, inputs_fingerprint, reuse_forecast
    from sellthrough.forecast.models import HORIZON
    from sellthrough.forecast.warehouse_inputs import forecast_enabled, read_inputs
    from sellthrough.worker_process import run_in_worker

    if not forecast_enabled():
        return (
            pl.DataFrame(schema=FORECAST_SCHEMA)
            .with_columns(pl.lit(None, pl.String).alias(FINGERPRINT_COLUMN))
            .to_arrow()
        )
    inputs = read_inputs(
        {
            "int_secondary_sales__daily": dbt.ref("int_secondary_sales__daily"),
            "festivals": dbt.ref("festivals"),
            "int_calendar__as_of": dbt.ref("int_calendar__as_of"),
            "dim_distributor": dbt.ref("dim_distributor"),
            "dim_sku": dbt.ref("dim_sku"),
            "dim_scheme": dbt.ref("dim_scheme"),
        }
    )
    fingerprint = inputs_fingerprint(inputs, HORIZON)
    try:
        previous = session.sql(f"select * from {dbt.this}").pl()  # noqa: S608 (the relation dbt names)
    except duckdb.Error:  # the first build: no table yet
        previous = None
    forecast = reuse_forecast(previous, fingerprint, inputs.as_of)
    if forecast is None:
        forecast = run_in_worker(
            forecast_network,
            inputs.daily,
            inputs.distributors,
            inputs.skus,
            inputs.festivals,
            inputs.schemes,
            inputs.as_of,
            HORIZON,
        )
    return forecast.with_columns(pl.lit(fingerprint).alias(FINGERPRINT_COLUMN)).to_arrow()
