"""Contract of `raw/stock_statement`: a distributor's monthly stock statement, per SKU."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract
from ingest.core.headers import Field

STOCK_STATEMENT = Contract(
    table="stock_statement",
    schema={
        "distributor_code": pl.String(),
        "period_start": pl.Date(),
        "period_end": pl.Date(),
        "item_raw": pl.String(),
        "sku_code": pl.String(),
        "opening_units": pl.Int64(),
        "receipts_units": pl.Int64(),
        "sales_units": pl.Int64(),
        "closing_units": pl.Int64(),
    },
    not_null=("distributor_code", "period_start", "period_end", "sku_code", "opening_units", "closing_units"),
)

FIELDS: tuple[Field, ...] = (
    Field("item_code", ("item code", "product code", "sku code", "material", "code")),
    Field(
        "item_name",
        (
            "item name",
            "item",
            "product",
            "product name",
            "description",
            "sku",
            "particulars",
            "stock item",
            "maal",
        ),
    ),
    Field(
        "opening_units",
        ("opening", "opening qty", "opening stock", "op qty", "op stock", "opening balance", "ob"),
        required=True,
    ),
    Field(
        "receipts_units",
        ("receipts", "receipt", "receipt qty", "purchase", "purchases", "inward", "in qty", "purchase qty"),
    ),
    Field("sales_units", ("sales", "sale", "sales qty", "outward", "out qty", "issue", "issues")),
    Field(
        "closing_units",
        ("closing", "closing qty", "closing stock", "cl qty", "cl stock", "closing balance", "cb"),
        required=True,
    ),
)
