"""Expectations on `raw/primary_sales`: the brand's ERP billing to its distributors."""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_UNITS = 10_000_000
MAX_AMOUNT = 100_000_000.0
MAX_RATE = 100_000.0


def checks(ctx: SuiteContext) -> list[Check]:
    return [
        *common.not_null(("doc_type", "doc_number", "doc_date", "distributor_code", "sku_code", "quantity_units")),
        common.in_set("doc_type", ["invoice", "credit_note"]),
        common.not_in_future("doc_date", ctx),
        *common.in_declared_period("doc_date", ctx),
        common.between("quantity_units", 1, MAX_UNITS, reason_code="negative_quantity", what="quantity"),
        common.between("rate", 0, MAX_RATE, reason_code="bad_amount", what="rate"),
        common.between("net_amount", 0, MAX_AMOUNT, reason_code="bad_amount", what="net amount"),
        common.amount_matches_rate("quantity_units", "rate", None, "net_amount"),
        common.document_consistent("doc_number", ["doc_type", "distributor_code", "doc_date"], what="document"),
    ]


SUITE = Suite("primary_sales", checks, period_columns={"primary_sales": "doc_date"}, volume=True)
