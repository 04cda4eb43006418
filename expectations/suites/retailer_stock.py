"""Expectations on `raw/retailer_stock_lines` (retailer shelf stock): run on every load before it commits."""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_STOCK = 1_000_000  # pieces of one SKU on one outlet's shelf or in one store


def checks(ctx: SuiteContext) -> list[Check]:
    return [
        *common.not_null(("sender_code", "distributor_code", "outlet_code", "count_date", "item_raw", "sku_code")),
        common.in_set("count_source", ["shelf_count", "store_inventory"]),
        common.not_in_future("count_date", ctx),
        *common.in_declared_period("count_date", ctx),
        common.between("stock_units", 0, MAX_STOCK, reason_code="bad_quantity", what="stock"),
    ]


SUITE = Suite("retailer_stock", checks)
