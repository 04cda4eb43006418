"""Stock-out prediction per outlet x SKU from the shelf counts and the outlet's purchases
(sellthrough/forecast/outlet_stockout.py): at each counted pair's latest count, as of the warehouse's date."""


def model(dbt, session):
    dbt.config(materialized="table")
    import polars as pl

    from sellthrough.forecast.outlet_stockout import OUTLET_STOCKOUT_SCHEMA, predict_outlet_stockouts
    from sellthrough.worker_process import run_in_worker

    as_of = dbt.ref("int_calendar__as_of").pl()["as_of_date"][0]
    counts = dbt.ref("fct_outlet_stock_cover").select("outlet_code, sku_code, count_date, stock_units").pl()
    if counts.is_empty():
        return pl.DataFrame(schema=OUTLET_STOCKOUT_SCHEMA).to_arrow()
    # the counted outlets' net purchases per SKU and day (returns negative, free goods on the shelf too), in DuckDB
    sales = dbt.ref("fct_secondary_sales")
    counted = dbt.ref("fct_outlet_stock_cover").select("outlet_code").distinct()
    purchases = (
        sales.join(counted, "outlet_code", how="semi")
        .aggregate(
            "outlet_code, sku_code, invoice_date as day,"
            " sum(signed_quantity_units + case when line_type = 'return' then 0 else free_units end)::double as units",
            "outlet_code, sku_code, invoice_date",
        )
        .pl()
    )
    return run_in_worker(predict_outlet_stockouts, counts, purchases, as_of).to_arrow()
