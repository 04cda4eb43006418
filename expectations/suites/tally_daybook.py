"""Expectations on `raw/tally_voucher_lines`: stock lines of a Tally Day Book export."""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_UNITS = 1_000_000
MAX_AMOUNT = 10_000_000.0
MAX_RATE = 100_000.0


def checks(ctx: SuiteContext) -> list[Check]:
    return [
        *common.not_null(("distributor_code", "voucher_number", "voucher_date", "sku_code", "quantity_units")),
        common.in_set("line_type", ["sale", "return", "purchase", "purchase_return"]),
        common.not_in_future("voucher_date", ctx),
        *common.in_declared_period("voucher_date", ctx),
        common.between("quantity_units", 0, MAX_UNITS, reason_code="negative_quantity", what="quantity"),
        common.between("free_units", 0, MAX_UNITS, reason_code="negative_quantity", what="free quantity"),
        common.between("rate", 0, MAX_RATE, reason_code="bad_amount", what="rate"),
        common.between("amount", 0, MAX_AMOUNT, reason_code="bad_amount", what="amount"),
        common.document_consistent("voucher_number", ["voucher_type", "party_name", "voucher_date"], what="voucher"),
    ]


SUITE = Suite("tally_daybook", checks, period_columns={"tally_voucher_lines": "voucher_date"}, volume=True)
