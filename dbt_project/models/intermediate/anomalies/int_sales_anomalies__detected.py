"""Sales anomalies found by sellthrough.anomalies (STL residuals with robust z-scores, ruptures change points, the
post-scheme and sales-stopped rules) in the series of int_sales_anomalies__series; fct_sales_anomalies adds the
drill keys. A dbt Python model (run by dbt-duckdb in dbt's own process), so the night's sales are judged the night
they arrive and dbt stays the warehouse's only writer; the detection itself runs in a process of its own
(sellthrough/worker_process.py: its Python would hold dbt's GIL). SELLTHROUGH_ANOMALIES=off builds it empty.

Incremental on a bounded window (sellthrough/anomalies/nightly.py): a night judges again only the blocks of days
whose runs read a day that changed (the sale dates the series, incremental like fct_secondary_sales, rebuilt since
this table's `_built_through`, the days complete since its `_judged_through`) and keeps the verdicts of the blocks
before them (`_judged_in`: the block whose run judged an anomaly); new scheme windows, festival seasons or detector
settings (`_inputs_digest`), a --full-refresh or the first build judge every block. The model returns every row
(kept and new) and the `replace_all` strategy swaps them in (the table is small); every row carries the night's
stamps, and one row that is no anomaly (kind `_night`, nightly.night_stamp) carries them when the night found
nothing, so that a quiet network's next night does not judge all history again."""


def model(dbt, session):
    dbt.config(materialized="incremental", incremental_strategy="replace_all", on_schema_change="sync_all_columns")
    from datetime import date, datetime

    import duckdb
    import polars as pl

    from sellthrough.anomalies.nightly import (
        WINDOW,
        anomalies_enabled,
        bounds,
        changed_since,
        detect_nightly,
        inputs_digest,
        night_stamp,
        no_anomalies,
        without_stamp,
    )
    from sellthrough.worker_process import run_in_worker

    def stamped(rows: pl.DataFrame, built: datetime | None, judged: date | None, digest: str | None, since=None):
        return rows.with_columns(
            # the first day judged again tonight (the rows judged in blocks before it were kept); null: every day judged
            pl.lit(since, pl.Date).alias("_judged_from"),
            pl.lit(built, pl.Datetime("us")).alias("_built_through"),
            pl.lit(judged, pl.Date).alias("_judged_through"),
            pl.lit(digest, pl.String).alias("_inputs_digest"),
        )

    if not anomalies_enabled():
        return stamped(no_anomalies(), None, None, None)
    context = dbt.ref("int_sales_anomalies__context").pl()
    # an incremental table by sale_date (a few thousand rows a day): its window and whole distributor series are
    # read, never the lines
    series = dbt.ref("int_sales_anomalies__series")
    judged_columns = ("level", "series_key", "sale_date", "units")
    limits = bounds(context)
    first_day, built = series.aggregate("min(sale_date), max(_built_through)").fetchall()[0]
    if limits is None or first_day is None:
        return stamped(no_anomalies(), built, None, None)
    digest = inputs_digest(context)
    previous = session.sql(f"select * from {dbt.this}").pl() if dbt.is_incremental else None  # noqa: S608
    since = None
    stamped_before = previous is not None and previous.height and "_inputs_digest" in previous.columns
    watermark = previous["_built_through"].max() if stamped_before else None  # a table built before: judge all
    if watermark is not None and set(previous["_inputs_digest"].to_list()) == {digest}:
        rebuilt = series.filter(duckdb.ColumnExpression("_built_through") > duckdb.ConstantExpression(watermark))
        (changed_from,) = rebuilt.aggregate("min(sale_date)").fetchall()[0]
        since = changed_since(previous["_judged_through"].max(), changed_from, limits[1])
    kept_before = None
    if since is None:
        found = run_in_worker(detect_nightly, series.select(*judged_columns).pl(), context, first_day=first_day)
    else:
        kept_before = WINDOW.start(max(WINDOW.first_changed_block(since), WINDOW.block(first_day)))
        reads_from = WINDOW.reads_from(WINDOW.first_changed_block(since), first_day)
        recent = series.filter(duckdb.ColumnExpression("sale_date") >= duckdb.ConstantExpression(reads_from))
        distributors = series.filter(duckdb.ColumnExpression("level") == duckdb.ConstantExpression("distributor"))
        found = run_in_worker(
            detect_nightly,
            recent.select(*judged_columns).pl(),
            context,
            kept=without_stamp(previous),
            since=since,
            first_day=first_day,
            distributors=distributors.select(*judged_columns).pl(),
        )
    return stamped(pl.concat([found, night_stamp()]), built, limits[1], digest, kept_before)
