"""Field-sales app (SFA) exports, JSON lines or CSV, to `raw/sfa_visits` and `raw/sfa_order_lines`.

Accounting: rows_read counts records (visits and order lines); blank lines are skipped. Within a file, a visit
or an order line synced more than once (same visit id, or same client order id and line) is loaded once, the
latest server time winning; the others count as deduplicated. Across files the same happens in dbt.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ingest.core.contract import QUARANTINE_SCHEMA
from ingest.core.rows import REASON_FIELDS, REASON_SCHEMA, RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.sfa.contract import SFA_ORDER_LINES, SFA_VISITS, SYNONYMS
from ingest.sfa.records import Records, read_records
from ingest.sfa.values import date_column, flag_column, number_column, time_column

KIND = "sfa"
TEXT_FIELDS = [f for f in SYNONYMS if f != "record_type"]
QUARANTINE_COLUMNS = ("_sheet", "_row_number", *REASON_FIELDS, "raw_values")


def read(path: Path, ctx: ReadContext) -> ReadResult:
    found = read_records(path, ctx.file_name)
    frame = _frame(found)
    visits, visit_dups = _deduplicate(_parse_visits(frame.filter(pl.col("_type") == "visit")), ["visit_id"])
    lines = _parse_lines(frame.filter(pl.col("_type") == "order_line"), ctx)
    lines, line_dups = _deduplicate(lines, ["client_order_id", "_line_number"])
    good_visits, bad_visits = apply_checks(visits, _visit_checks(ctx) + _time_checks())
    good_lines, bad_lines = apply_checks(lines, _line_checks(ctx) + _time_checks())
    visit_rows = good_visits.with_columns(
        distributor_code=pl.lit(ctx.distributor_code),
        _sheet=pl.lit(None, pl.String),
        latitude="_lat",
        longitude="_lon",
        device_time="_device",
        server_time="_server",
        visit_date=pl.col("_device").dt.date(),
        productive="_productive",
    )
    line_rows = good_lines.with_columns(
        distributor_code=pl.lit(ctx.distributor_code),
        _sheet=pl.lit(None, pl.String),
        line_number="_line_number",
        item_raw="item",
        quantity_units="_quantity",
        device_time="_device",
        server_time="_server",
        order_date=pl.col("_device").dt.date(),
        delivery_date="_delivery",
    )
    quarantine = pl.concat(
        [
            _quarantine(bad_visits),
            _quarantine(bad_lines),
            _quarantine(frame.filter(pl.col("_type").is_null()).with_columns(**_unknown_type())),
            _unreadable(found),
        ]
    )
    dates = pl.concat([visit_rows["visit_date"], line_rows["order_date"]])
    return ReadResult(
        tables={SFA_VISITS.table: visit_rows, SFA_ORDER_LINES.table: line_rows},
        quarantine=quarantine,
        rows_read=len(found.records) + len(found.unreadable),
        rows_deduplicated=visit_dups + line_dups,
        rows_skipped=found.blank_lines,
        period=(dates.min(), dates.max()) if dates.len() else None,  # type: ignore[arg-type]
    )


def _frame(found: Records) -> pl.DataFrame:
    schema = {"_row_number": pl.Int32, "_type": pl.String, "raw_values": pl.String} | dict.fromkeys(
        TEXT_FIELDS, pl.String
    )
    rows = [
        {"_row_number": r.row_number, "_type": r.record_type, "raw_values": r.raw_values, **r.values}
        for r in found.records
    ]
    return pl.DataFrame(rows, schema=schema)


def _parse_times(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(time_column("device_time", "_device"), time_column("server_time", "_server"))


def _parse_visits(frame: pl.DataFrame) -> pl.DataFrame:
    return _parse_times(frame).with_columns(
        number_column("latitude", "_lat"), number_column("longitude", "_lon"), flag_column("productive", "_productive")
    )


def _parse_lines(frame: pl.DataFrame, ctx: ReadContext) -> pl.DataFrame:
    parsed = _parse_times(frame).with_columns(
        pl.col("quantity").str.replace_all(",", "").cast(pl.Float64, strict=False).alias("_quantity_number"),
        pl.col("line_number").cast(pl.Int32, strict=False).alias("_given_line"),
        date_column("delivery_date", "_delivery"),
    )
    # with no line number in the export: the line's place among the rows of the same sync of the order
    position = pl.int_range(1, pl.len() + 1).over("client_order_id", "server_time").cast(pl.Int32)
    parsed = parsed.with_columns(
        _line_number=pl.coalesce(pl.col("_given_line"), position),
        _quantity=pl.when(pl.col("_quantity_number") == pl.col("_quantity_number").round(0))
        .then(pl.col("_quantity_number"))
        .cast(pl.Int64),
    )
    parsed = ctx.masters.resolve(parsed, ctx.distributor_code, ["item"])
    return ctx.masters.with_suggestions(parsed, "item").sort("_row_number")


def _deduplicate(frame: pl.DataFrame, key: list[str]) -> tuple[pl.DataFrame, int]:
    """Keep one row per key, the latest server time (then the first in the file); rows without a key or a
    server time are left for the checks to quarantine."""
    keyed = pl.all_horizontal([pl.col(c).is_not_null() for c in [*key, "_server"]])
    ranked = frame.sort(["_server", "_row_number"], descending=[True, False], nulls_last=True).with_columns(
        _rank=pl.when(keyed).then(pl.int_range(1, pl.len() + 1).over(key))
    )
    kept = ranked.filter(pl.col("_rank").is_null() | (pl.col("_rank") == 1)).drop("_rank").sort("_row_number")
    return kept, frame.height - kept.height


def _outlet_known(ctx: ReadContext) -> pl.Expr:
    """Outlets are checked against the distributor's outlet master; a distributor with none in the master (a
    preview outside the inbox, a new distributor) cannot be judged, so its outlets pass."""
    outlets = ctx.masters.outlets
    known = outlets.filter(pl.col("distributor_code") == ctx.distributor_code)["outlet_code"]
    if known.len() == 0:
        return pl.lit(True)
    return pl.col("outlet_code").is_in(known.to_list())


def _unknown_outlet(ctx: ReadContext) -> RowCheck:
    return RowCheck(
        "unknown_outlet",
        pl.col("outlet_code").is_not_null() & ~_outlet_known(ctx),
        pl.format(
            "outlet {} is not in the outlet master for distributor {}: add it to the master or fix the app's outlet",
            quote(pl.col("outlet_code")),
            pl.lit(ctx.distributor_code),
        ),
    )


def _missing(columns: dict[str, str]) -> list[RowCheck]:
    return [
        RowCheck("missing_value", pl.col(column).is_null(), pl.lit(f"no {what} on this record"))
        for column, what in columns.items()
    ]


def _time_checks() -> list[RowCheck]:
    return [
        RowCheck(
            "bad_time",
            pl.col("_device").is_null(),
            pl.format(
                "device time {} is not a time (expected ISO 8601, e.g. 2026-07-03T10:15:00+05:30)",
                quote(pl.col("device_time")),
            ),
        ),
        RowCheck(
            "bad_time",
            pl.col("_server").is_null(),
            pl.format(
                "server time {} is not a time (expected ISO 8601, e.g. 2026-07-03T18:40:00+05:30)",
                quote(pl.col("server_time")),
            ),
        ),
    ]


def _visit_checks(ctx: ReadContext) -> list[RowCheck]:
    lat, lon = pl.col("_lat"), pl.col("_lon")
    unreadable = pl.any_horizontal(
        pl.col("latitude").is_not_null() & lat.is_null(), pl.col("longitude").is_not_null() & lon.is_null()
    )
    half = lat.is_null() != lon.is_null()
    outside = ~lat.is_between(-90, 90) | ~lon.is_between(-180, 180)
    return [
        *_missing({"visit_id": "visit id", "rep_code": "rep", "outlet_code": "outlet"}),
        RowCheck(
            "bad_gps",
            unreadable | half | outside,
            pl.format(
                "GPS {}, {} is not a latitude/longitude pair; the visit's location is unusable",
                quote(pl.col("latitude")),
                quote(pl.col("longitude")),
            ),
        ),
        _unknown_outlet(ctx),
    ]


def _line_checks(ctx: ReadContext) -> list[RowCheck]:
    return [
        *_missing({"client_order_id": "client order id", "rep_code": "rep", "outlet_code": "outlet", "item": "SKU"}),
        RowCheck("missing_value", pl.col("quantity").is_null(), pl.lit("no quantity on this order line")),
        RowCheck(
            "bad_quantity",
            pl.col("_quantity").is_null(),
            pl.format("quantity {} is not a whole number of pieces", quote(pl.col("quantity"))),
        ),
        RowCheck(
            "negative_quantity",
            pl.col("_quantity") < 0,
            pl.format("quantity {} is negative on an order line", pl.col("_quantity")),
        ),
        RowCheck("zero_quantity", pl.col("_quantity") == 0, pl.lit("quantity is zero")),
        RowCheck(
            "bad_date",
            pl.col("delivery_date").is_not_null() & pl.col("_delivery").is_null(),
            pl.format(
                "delivery date {} is not a date (expected ISO 8601, e.g. 2026-07-06)", quote(pl.col("delivery_date"))
            ),
        ),
        # as the night does with no SKU master loaded: quarantined, saying so (never a null sku_code)
        ctx.masters.unknown_sku_check(pl.col("item"), ctx.distributor_code, pl.col("_suggestions")),
        _unknown_outlet(ctx),
    ]


def _unknown_type() -> dict[str, pl.Expr]:
    return {
        "reason_code": pl.lit("unknown_record_type"),
        "reason": pl.lit("record type is neither a visit nor an order line; check the export's `type` field"),
    }


def _quarantine(failed: pl.DataFrame) -> pl.DataFrame:
    return failed.select(
        pl.lit(None, pl.String).alias("_sheet"),
        pl.col("_row_number").cast(pl.Int32),
        *[(pl.col(c) if c in failed.columns else pl.lit(None)).cast(t).alias(c) for c, t in REASON_SCHEMA.items()],
        pl.col("raw_values"),
    )


def _unreadable(found: Records) -> pl.DataFrame:
    schema = {k: QUARANTINE_SCHEMA[k] for k in QUARANTINE_COLUMNS}
    rows = [
        {
            "_sheet": None,
            "_row_number": number,
            "reason_code": "bad_record",
            "reason": reason,
            "raw_values": json.dumps({"line": line}, ensure_ascii=False),
        }
        for number, reason, line in found.unreadable
    ]
    return pl.DataFrame(rows, schema=schema)


def preview_totals(result: ReadResult) -> dict:
    """Extra `sellthrough preview` totals: visits, orders, order lines, reps."""
    visits = result.tables.get(SFA_VISITS.table, pl.DataFrame(schema=SFA_VISITS.schema))
    lines = result.tables.get(SFA_ORDER_LINES.table, pl.DataFrame(schema=SFA_ORDER_LINES.schema))
    return {
        "visits": visits.height,
        "orders": lines["client_order_id"].n_unique() if lines.height else 0,
        "order_lines": lines.height,
        "reps": pl.concat([visits["rep_code"], lines["rep_code"]]).n_unique(),
        "date_min": result.period[0].isoformat() if result.period else None,
        "date_max": result.period[1].isoformat() if result.period else None,
    }
