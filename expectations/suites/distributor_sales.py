"""Expectations on `raw/secondary_sales`: a distributor's sales lines."""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_UNITS = 1_000_000  # pieces on one line
MAX_AMOUNT = 10_000_000.0  # rupees on one line
MAX_RATE = 100_000.0  # rupees per piece


def checks(ctx: SuiteContext) -> list[Check]:
    return [
        *common.not_null(
            ("distributor_code", "invoice_number", "invoice_date", "line_type", "sku_code", "quantity_units")
        ),
        common.in_set("line_type", ["sale", "return"]),
        common.not_in_future("invoice_date", ctx),
        *common.in_declared_period("invoice_date", ctx),
        common.between("quantity_units", 1, MAX_UNITS, reason_code="negative_quantity", what="quantity"),
        common.between("free_units", 0, MAX_UNITS, reason_code="negative_quantity", what="free quantity"),
        common.between("rate", 0, MAX_RATE, reason_code="bad_amount", what="rate"),
        common.between("gross_amount", 0, MAX_AMOUNT, reason_code="bad_amount", what="gross amount"),
        common.between("net_amount", 0, MAX_AMOUNT, reason_code="bad_amount", what="net amount"),
        common.amount_matches_rate("quantity_units", "rate", "gross_amount", "net_amount"),
        common.document_consistent("invoice_number", ["party_code", "party_name", "invoice_date"]),
    ]


SUITE = Suite("distributor_sales", checks, period_columns={"secondary_sales": "invoice_date"}, volume=True)
