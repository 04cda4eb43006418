"""Stock-out prediction per distributor x SKU from the forecast, the stock ledger and primary in transit
(sellthrough/forecast/stockout.py). A dbt Python model, like int_sales_forecast__weekly."""


def model(dbt, session):
    dbt.config(materialized="table")
    import polars as pl

    from sellthrough.forecast.stockout import HISTORY_WEEKS, PROFILE_WEEKS, STOCKOUT_SCHEMA, predict_stockouts
    from sellthrough.forecast.warehouse_inputs import forecast_enabled

    forecast = dbt.ref("int_sales_forecast__weekly").pl().filter(pl.col("forecast_level") == "distributor_sku")
    if not forecast_enabled() or forecast.is_empty():
        return pl.DataFrame(schema=STOCKOUT_SCHEMA).to_arrow()
    as_of = forecast["as_of_date"][0]
    # the weeks the demand paths and the weekday profile read, filtered in DuckDB
    days = 7 * max(HISTORY_WEEKS, PROFILE_WEEKS)
    ledger = dbt.ref("fct_distributor_stock_daily").filter(f"stock_date > date '{as_of}' - interval {days} day").pl()
    daily = ledger.select("distributor_code", "sku_code", day=pl.col("stock_date"), units=pl.col("sales_units"))
    skus = dbt.ref("dim_sku").pl().select("sku_code", "units_per_case")
    stock = ledger.filter(pl.col("stock_date") == as_of).select("distributor_code", "sku_code", "closing_units")
    primary = (
        dbt.ref("fct_primary_sales")
        .filter(f"doc_type = 'invoice' and doc_date > date '{as_of}' - interval 91 day")
        .select("distributor_code", "sku_code", "doc_date", "delivery_date", "quantity_units")
        .pl()
    )
    arrivals = primary.filter(pl.col("doc_date") <= as_of, pl.col("delivery_date") > as_of).select(
        "distributor_code", "sku_code", "delivery_date", units=pl.col("quantity_units")
    )
    predictions = predict_stockouts(forecast, stock, arrivals, daily, primary, skus, as_of)
    return predictions.to_arrow()
