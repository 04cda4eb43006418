"""Expectations on `raw/stock_statement`: a distributor's monthly closing stock per SKU.

The period comes from the statement's title (or name) and is the same on every row: a statement for a month
that has not started yet is rejected whole. closing = opening + receipts - sales is not expected: stock
discrepancies are real and reconciled downstream (fct_distributor_stock_reconciliation).
"""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_UNITS = 10_000_000


def checks(ctx: SuiteContext) -> list[Check]:
    quantities = ("opening_units", "receipts_units", "sales_units", "closing_units")
    return [
        *common.not_null(("distributor_code", "period_start", "period_end", "sku_code", "opening_units")),
        common.not_in_future("period_start", ctx, severity="file"),
        *[common.between(c, 0, MAX_UNITS, reason_code="negative_quantity", what=c) for c in quantities],
    ]


SUITE = Suite("stock_statement", checks)
