"""Contract of `raw/retailer_stock_lines`: one row per outlet x SKU stock count on a day.

Two shapes arrive in the same kind: a rep's shelf counts from the field app (`inbox/retailer_stock/<DISTRIBUTOR>/`,
the outlet by its code), and a modern-trade chain's store inventory (`inbox/retailer_stock/<CHAIN>/`, the store by
the chain's code, mapped to the outlet through `masters/chain_stores`). docs/contracts.md describes both."""

import polars as pl

from ingest.core.contract import Contract
from ingest.core.headers import Field

LINES = Contract(
    table="retailer_stock_lines",
    schema={
        "sender_code": pl.String(),  # the inbox folder: a distributor (field app) or a chain (store inventory)
        "count_source": pl.String(),  # shelf_count | store_inventory
        "distributor_code": pl.String(),  # the outlet's distributor (the folder, or the outlet master's for a store)
        "outlet_code": pl.String(),
        "store_code": pl.String(),  # the chain's store code; null for shelf counts
        "rep_code": pl.String(),  # who counted; null when the export has none
        "count_date": pl.Date(),
        "item_raw": pl.String(),  # the item as written (code, name or EAN)
        "sku_code": pl.String(),
        "stock_units": pl.Int64(),  # pieces on the shelf / on hand
    },
    not_null=("sender_code", "count_source", "distributor_code", "outlet_code", "count_date", "item_raw", "sku_code"),
)

# Header synonyms, matched case-, space- and punctuation-insensitively; a sender's odd header goes in a layout
# YAML (ingest/retailer_stock/layouts/<CODE>.yml, or the deployment's data/config/layouts/retailer_stock/).
FIELDS: tuple[Field, ...] = (
    Field(
        "count_date",
        ("date", "visit date", "count date", "stock date", "inventory date", "as on", "as on date", "snapshot date"),
        required=True,
    ),
    Field("outlet", ("outlet code", "outlet", "retailer code", "retailer", "party code", "customer code")),
    Field("store", ("store code", "store", "store id", "site", "site code", "branch code", "location code")),
    Field("rep", ("rep", "rep code", "salesman", "salesman code", "user", "user code")),
    Field(
        "item",
        ("item", "item code", "item name", "sku", "sku code", "product", "ean", "barcode", "article", "article ean"),
        required=True,
    ),
    Field(
        "stock",
        ("shelf qty", "shelf stock", "stock", "stock qty", "soh", "stock on hand", "on hand", "closing stock", "qty"),
        required=True,
    ),
)
PLACE_FIELDS = ("outlet", "store")  # a shelf count names the outlet, a store inventory the chain's store
TEXT_FIELDS = ("outlet", "store", "rep", "item")
