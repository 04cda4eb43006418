"""Stock-out prediction per distributor x SKU from the forecast, the stock ledger, primary in transit and the order
book (retailer orders booked ahead: int_secondary_orders__book, int_secondary_orders__open), each distributor's
days after its last sales file projected (int_ingest__coverage), through
sellthrough/forecast/stockout.py. A dbt Python model, like int_sales_forecast__weekly; the inputs are read by
sellthrough/forecast/warehouse_inputs.read_stockout_inputs, which the tests and bench/forecast.py also call."""


def model(dbt, session):
    dbt.config(materialized="table")
    import polars as pl

    from sellthrough.forecast.stockout import HISTORY_WEEKS, PROFILE_WEEKS, STOCKOUT_SCHEMA, predict_stockouts
    from sellthrough.forecast.warehouse_inputs import forecast_enabled, read_stockout_inputs
    from sellthrough.worker_process import run_in_worker

    tables = {
        "int_sales_forecast__weekly": dbt.ref("int_sales_forecast__weekly"),
        "fct_distributor_stock_daily": dbt.ref("fct_distributor_stock_daily"),
        "fct_primary_sales": dbt.ref("fct_primary_sales"),
        "dim_sku": dbt.ref("dim_sku"),
        "int_secondary_orders__book": dbt.ref("int_secondary_orders__book"),
        "int_secondary_orders__open": dbt.ref("int_secondary_orders__open"),
        "int_ingest__coverage": dbt.ref("int_ingest__coverage"),
    }
    # the weeks the demand paths and the weekday profile read
    inputs = read_stockout_inputs(tables, 7 * max(HISTORY_WEEKS, PROFILE_WEEKS)) if forecast_enabled() else None
    if inputs is None:
        return pl.DataFrame(schema=STOCKOUT_SCHEMA).to_arrow()
    i = inputs
    predictions = run_in_worker(
        predict_stockouts, i.forecast, i.stock, i.arrivals, i.daily, i.primary, i.skus, i.as_of, i.booked
    )
    return predictions.to_arrow()
