"""Monthly scheme-claim files (CSV, xlsx) to `raw/scheme_claims`. The month comes from a `YYYY-MM` in the file
name (`claims_2026-07.csv`) or from a title row ("Claims for July 2026")."""

from pathlib import Path

import polars as pl

from ingest.core.grid import read_grid
from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import parse_number
from ingest.scheme_claims.contract import FIELDS, SCHEME_CLAIMS
from ingest.stock_statement.reader import statement_period

KIND = "scheme_claims"


def read(path: Path, ctx: ReadContext) -> ReadResult:
    sheets = read_grid(path)
    table = read_table_rows(
        path,
        file_name=ctx.file_name,
        fields=FIELDS,
        text_fields=("scheme_code", "party_code", "party_name"),
        layout=ctx.layout(KIND, path),
        require_any=(("party_code", "party_name"),),
        sheets=sheets,
    )
    (month_start, month_end), declared_by = statement_period(table.title, ctx.file_name)
    parsed = table.rows.with_columns(parse_number(pl.col("claimed_amount")).alias("_claimed_amount"))
    passed, failed = apply_checks(
        parsed,
        [
            RowCheck("missing_value", pl.col("scheme_code").is_null(), pl.lit("no scheme code on this line")),
            RowCheck(
                "missing_value",
                pl.col("party_code").is_null() & pl.col("party_name").is_null(),
                pl.lit("no retailer (party code or name) on this line"),
            ),
            RowCheck(
                "bad_amount",
                pl.col("_claimed_amount").is_null(),
                pl.format("claimed amount {} is not a number", quote(pl.col("claimed_amount"))),
            ),
            RowCheck("negative_amount", pl.col("_claimed_amount") < 0, pl.lit("claimed amount is negative")),
        ],
    )
    lines = passed.with_columns(
        pl.col("_claimed_amount").alias("claimed_amount"),
        pl.lit(table.sheet_name, pl.String).alias("_sheet"),
        pl.lit(ctx.distributor_code).alias("distributor_code"),
        pl.lit(month_start).alias("claim_month"),
        pl.col("scheme_code").str.to_uppercase().str.strip_chars().alias("scheme_code"),
    )
    return table.result({SCHEME_CLAIMS.table: lines}, table.quarantine(failed), (month_start, month_end), declared_by)
