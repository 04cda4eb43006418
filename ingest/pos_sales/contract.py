"""Contract of `raw/pos_sales` and the columns a modern-trade chain's POS sell-out file may carry."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract
from ingest.core.headers import Field

POS_SALES = Contract(
    table="pos_sales",
    schema={
        "chain_code": pl.String(),
        "store_code": pl.String(),
        "outlet_code": pl.String(),
        "ean": pl.String(),  # null for a chain whose files carry its own product codes only
        "product_code": pl.String(),  # the chain's own code for the article, where the file has one
        "sku_code": pl.String(),
        "item_raw": pl.String(),
        "sale_date": pl.Date(),
        "date_grain": pl.String(),
        "units": pl.Int64(),
        "sales_value": pl.Float64(),
    },
    not_null=("chain_code", "store_code", "outlet_code", "sku_code", "sale_date", "date_grain", "units"),
)

# Each header matches the first field listing it. A chain whose headers no synonym knows gets a layout
# (`layouts/<CHAIN>.yml`, `columns: {field: header text}`).
FIELDS: tuple[Field, ...] = (
    Field(
        "store_code",
        ("store code", "store", "store id", "store no", "site", "site code", "site id", "branch code", "location code"),
        required=True,
    ),
    Field("ean", ("ean", "gtin", "barcode", "ean code", "ean no", "article ean", "upc", "ean 13", "gtin 13")),
    Field(
        "product_code",
        (
            "product code",
            "article code",
            "article no",
            "article number",
            "item code",
            "plu",
            "plu code",
            "prod code",
            "product id",
            "item id",
            "material code",
        ),
    ),
    Field("item_name", ("article", "article description", "item", "item name", "product", "description", "sku name")),
    Field(
        "sale_date",
        ("date", "bill date", "sale date", "sales date", "business date", "txn date", "day", "तारीख", "दिनांक"),
    ),
    Field("week", ("week", "week start", "week starting", "week commencing", "wk", "week no", "fiscal week")),
    Field(
        "units",
        ("units", "qty", "quantity", "sold qty", "sales qty", "sale qty", "units sold", "pcs", "net qty", "nag", "नग"),
        required=True,
    ),
    Field(
        "sales_value",
        ("value", "sales value", "net sales", "sales", "amount", "net amount", "sales amt", "net value", "mrp value"),
    ),
)

DATE_FIELDS = ("sale_date", "week")
ITEM_FIELDS = ("ean", "product_code")  # an EAN, or the chain's own product code (mapped by masters/chain_products)
TEXT_FIELDS = ("store_code", "ean", "product_code", "item_name")
