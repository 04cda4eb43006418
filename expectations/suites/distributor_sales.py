"""Expectations on `raw/secondary_sales`: a distributor's sales lines.

Large values are unusual, not wrong: above the usual range a line is quarantined only when quantity x rate does
not give its amount (`expectations/suites/unusual.py`); otherwise it loads and a warning counts it.
"""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common
from expectations.suites.unusual import line_consistent, quantity_x_rate, usual_unless_consistent

USUAL_UNITS = 1_000_000  # pieces on one line
USUAL_AMOUNT = 10_000_000.0  # rupees on one line (1 crore)
USUAL_RATE = 100_000.0  # rupees per piece


def checks(ctx: SuiteContext) -> list[Check]:
    line = {
        "consistent": line_consistent("quantity", "rate", "gross_amount", "net_amount", "discount_amount"),
        "expected": quantity_x_rate("quantity", "rate"),
    }
    return [
        *common.not_null(("distributor_code", "invoice_number", "invoice_date", "line_type", "sku_code", "quantity")),
        common.in_set("line_type", ["sale", "return"]),
        common.not_in_future("invoice_date", ctx),
        *common.in_declared_period("invoice_date", ctx),
        common.between("quantity_units", 1, None, reason_code="negative_quantity", what="quantity"),
        common.between("free_units", 0, USUAL_UNITS, reason_code="negative_quantity", what="free quantity"),
        common.between("rate", 0, None, reason_code="bad_amount", what="rate"),
        common.between("gross_amount", 0, None, reason_code="bad_amount", what="gross amount"),
        common.between("net_amount", 0, None, reason_code="bad_amount", what="net amount"),
        *usual_unless_consistent("quantity_units", USUAL_UNITS, what="quantity", reason_code="bad_quantity", **line),
        *usual_unless_consistent("rate", USUAL_RATE, what="rate", **line),
        *usual_unless_consistent("gross_amount", USUAL_AMOUNT, what="gross amount", **line),
        *usual_unless_consistent("net_amount", USUAL_AMOUNT, what="net amount", **line),
        common.amount_matches_rate("quantity", "rate", "gross_amount", "net_amount"),
        common.document_consistent("invoice_number", ["party_code", "party_name", "invoice_date"]),
    ]


SUITE = Suite("distributor_sales", checks, period_columns={"secondary_sales": "invoice_date"}, volume=True)
