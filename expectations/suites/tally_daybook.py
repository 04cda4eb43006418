"""Expectations on `raw/tally_voucher_lines`: stock lines of a Tally Day Book export.

Identity: a voucher is its `voucher_key` (Tally's GUID, else VCHKEY or REMOTEID, else type|number|date|party), not
its number, which Tally repeats per voucher type and financial year and which a purchase takes from the supplier's
bill. One key standing for two different vouchers (type, number, date or party) is contradictory: quarantined
(`duplicate_invoice`). The same type, number, date and party under two keys (a bill entered twice in Tally) is a
warning: both are in the distributor's books.
Large values are unusual, not wrong: above the usual range a line is quarantined only when quantity x rate does
not give its amount (`expectations/suites/unusual.py`); otherwise it loads and a warning counts it.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import polars as pl

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common
from expectations.suites.unusual import line_consistent, quantity_x_rate, usual_unless_consistent

USUAL_QUANTITY = 1_000_000.0  # in the line's own unit
USUAL_AMOUNT = 10_000_000.0  # rupees on one line (1 crore)
USUAL_RATE = 100_000.0  # rupees per unit


def checks(ctx: SuiteContext) -> list[Check]:
    line = {
        "consistent": line_consistent("quantity", "rate", None, "amount"),
        "expected": quantity_x_rate("quantity", "rate"),
    }
    return [
        *common.not_null(("distributor_code", "voucher_key", "voucher_number", "voucher_date", "sku_code", "quantity")),
        common.in_set("line_type", ["sale", "return", "purchase", "purchase_return"]),
        common.not_in_future("voucher_date", ctx),
        *common.in_declared_period("voucher_date", ctx),
        common.between("quantity", 0, None, reason_code="negative_quantity", what="quantity"),
        common.between("free_units", 0, None, reason_code="negative_quantity", what="free quantity"),
        common.between("rate", 0, None, reason_code="bad_amount", what="rate"),
        common.between("amount", 0, None, reason_code="bad_amount", what="amount"),
        *usual_unless_consistent("quantity", USUAL_QUANTITY, what="quantity", reason_code="bad_quantity", **line),
        *usual_unless_consistent("rate", USUAL_RATE, what="rate", **line),
        *usual_unless_consistent("amount", USUAL_AMOUNT, what="amount", **line),
        common.document_consistent(
            "voucher_key", ["voucher_type", "voucher_number", "voucher_date", "party_name"], what="voucher key"
        ),
        _entered_once(),
    ]


def _entered_once() -> Check:
    """Warning: one type, number, date and party under more than one voucher key (entered twice in Tally?)."""
    name = "voucher_entered_once"
    keys = pl.col("voucher_key").n_unique().over("voucher_type", "voucher_number", "voucher_date", "party_name")
    flag = "_voucher_entered_once"
    return Check(
        name,
        gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[True], meta={"name": name, "severity": "warning"}),
        "warning",
        derived={flag: (keys == 1).fill_null(True).alias(flag)},
    )


SUITE = Suite("tally_daybook", checks, period_columns={"tally_voucher_lines": "voucher_date"}, volume=True)
