"""Master snapshots (CSV or xlsx, one entity per file: `skus.csv`, `outlets.csv`, ...) to `raw/masters_*`.

Columns are matched by their contract names (case and punctuation aside). A row whose key is missing or
whose value cannot take its type is quarantined whole, never half-loaded.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.headers import Field
from ingest.core.rows import RowCheck, apply_checks, quote
from ingest.core.rules import mask_phone
from ingest.core.source import ReadContext, ReadResult
from ingest.core.tabular import read_table_rows
from ingest.core.values import parse_date, parse_integer, parse_number
from ingest.masters.contract import MASTERS, file_columns
from ingest.masters.hierarchy import with_hierarchy
from ingest.whatsapp.authors import author_key, display_author

KIND = "masters"
SENDER = "sender"  # chat_senders.csv: a phone number or saved name, hashed at read time (never stored)


def read(path: Path, ctx: ReadContext) -> ReadResult:
    entity = master_entity(ctx.file_name)
    contract = MASTERS.get(entity)
    if contract is None:
        raise FileRejected(
            "unknown_master",
            f"{ctx.file_name}: not a known master; name the file one of {', '.join(f'{e}.csv' for e in MASTERS)}",
        )
    senders = SENDER in file_columns(entity)
    read_columns = file_columns(entity)
    required = ("distributor_code", SENDER) if senders else contract.not_null
    fields = [Field(name, (), required=name in required) for name in read_columns]
    # a master is a set of records by key: a row repeated cell for cell is the same record delivered twice
    table = read_table_rows(
        path, file_name=ctx.file_name, fields=fields, text_fields=(), layout={}, deduplicate_identical=True
    )
    if senders:
        table = replace(table, rows=_hash_senders(table.rows))
    typed = table.rows.with_columns([_typed(name, dtype) for name, dtype in contract.schema.items()])
    checks = [
        RowCheck("missing_value", pl.col(name).is_null(), pl.lit(f"{name} is empty")) for name in contract.not_null
    ] + [
        RowCheck(
            "bad_value",
            pl.col(name).is_not_null() & pl.col(f"_{name}").is_null(),
            pl.format("{} {} is not a valid {}", pl.lit(name), quote(pl.col(name)), pl.lit(str(dtype))),
        )
        for name, dtype in contract.schema.items()
        if dtype != pl.String()
    ]
    typed, hierarchy = with_hierarchy(typed, entity, ctx.masters)
    passed, failed = apply_checks(typed, checks + hierarchy)
    rows = passed.with_columns(
        [pl.col(f"_{name}").alias(name) for name in contract.schema],
        _sheet=pl.lit(table.sheet_name, pl.String),
    )
    return table.result({contract.table: rows}, table.quarantine(_masked_phones(failed)))


def _masked_phones(failed: pl.DataFrame) -> pl.DataFrame:
    """A quarantined row's phone shows masked (`+91 ••••• •3210`): the quarantine mart is read widely, and the
    number is not what a person needs to fix the row (the file and row number find it)."""
    if "phone" not in failed.columns:
        return failed
    return failed.with_columns(pl.col("phone").map_elements(mask_phone, return_dtype=pl.String))


def _hash_senders(rows: pl.DataFrame) -> pl.DataFrame:
    """A sender is never kept in the clear: its keyed hash joins to the chats' `author_key`, and the `sender`
    column itself (what a quarantined row would show) becomes the masked display."""
    sender = pl.col(SENDER)
    return rows.with_columns(
        sender.map_elements(author_key, return_dtype=pl.String).alias("sender_key"),
        sender.map_elements(display_author, return_dtype=pl.String).alias("sender_display"),
    ).with_columns(pl.col("sender_display").alias(SENDER))


def master_entity(file_name: str) -> str:
    """`outlets.csv`, `masters_outlets.xlsx`, `outlets_2026-08-16.csv` (a dated snapshot) -> `outlets`."""
    stem = Path(file_name).stem.lower().removeprefix("masters_")
    return re.sub(r"[_-]\d{4}-\d{2}-\d{2}$", "", stem)


def _typed(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.Int64():
        parsed = parse_integer(column)
    elif dtype == pl.Float64():
        parsed = parse_number(column)
    elif dtype == pl.Date():
        parsed = parse_date(column)
    else:
        parsed = column
    return parsed.alias(f"_{name}")
