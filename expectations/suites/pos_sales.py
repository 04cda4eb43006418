"""Expectations on `raw/pos_sales`: a modern-trade chain's sell-out lines.

No `period_columns`: a POS file's period is the days it covers (a weekly row covers its whole week), so a
quarantined row does not narrow what the chain restated.
"""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_UNITS = 1_000_000  # pieces of one SKU in one store on one day or week
MAX_VALUE = 100_000_000.0  # rupees


def checks(ctx: SuiteContext) -> list[Check]:
    return [
        *common.not_null(("chain_code", "store_code", "outlet_code", "sku_code", "sale_date", "units")),
        common.in_set("date_grain", ["day", "week"]),
        common.not_in_future("sale_date", ctx),
        *common.in_declared_period("sale_date", ctx),
        common.between("units", -MAX_UNITS, MAX_UNITS, reason_code="bad_quantity", what="units"),
        common.between("sales_value", -MAX_VALUE, MAX_VALUE, reason_code="bad_amount", what="sales value"),
    ]


SUITE = Suite("pos_sales", checks)
