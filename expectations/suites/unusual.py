"""Unusual is not wrong: a value above the range a line usually has is flagged, and quarantined only when the line
itself does not support it.

A real Tally line of 700 computers at 46,234 is 3.24 crore: far above what one sales line usually is, and exactly
quantity x rate. Such a line loads; a warning (stored in `raw/_validations`, shown in Data Docs and in
`fct_data_quality_results`) counts it, with examples. A value above the range that quantity x rate does not give
(or that cannot be checked: no rate) is quarantined, with the product it should have matched.
"""

from __future__ import annotations

import great_expectations.expectations as gxe
import polars as pl

from expectations.model import Check
from ingest.core.rows import quote


def quantity_x_rate(quantity: str, rate: str) -> pl.Expr:
    return pl.col(quantity).cast(pl.Float64) * pl.col(rate)


def matches(amount: pl.Expr, expected: pl.Expr) -> pl.Expr:
    """Within 1% (or 1 rupee); null when either side is missing."""
    return (amount - expected).abs() <= pl.max_horizontal(pl.lit(1.0), (expected * 0.01).abs())


def line_consistent(quantity: str, rate: str, gross: str | None, net: str, discount: str | None = None) -> pl.Expr:
    """quantity x rate gives the line's amount: its gross amount, or its net amount (after its discount)."""
    expected = quantity_x_rate(quantity, rate)
    found = matches(pl.col(net), expected - (pl.col(discount).fill_null(0.0) if discount else 0.0))
    if gross:
        found = found | matches(pl.col(gross), expected)
    return found.fill_null(False)


def usual_unless_consistent(
    column: str,
    high: float,
    *,
    consistent: pl.Expr,
    expected: pl.Expr,
    what: str,
    reason_code: str = "bad_amount",
) -> list[Check]:
    """A row check that quarantines `column` above `high` unless `consistent` holds (quantity x rate = amount),
    and a warning that counts every value above `high` (the consistent ones: a data-quality note)."""
    flag = f"_{column}_usual_or_consistent"
    ok = pl.col(column).is_null() | (pl.col(column) <= high) | consistent
    row_name = f"{column}_usual_or_consistent"
    usual_name = f"{column}_within_usual_range"
    return [
        Check(
            row_name,
            gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[True], meta={"name": row_name, "severity": "row"}),
            "row",
            reason=pl.format(
                "{} {} is above the usual {} and the line does not support it (quantity x rate = {}): check the line",
                pl.lit(what),
                quote(pl.col(column).cast(pl.String)),
                pl.lit(f"{high:,.0f}"),
                quote(expected.round(2).cast(pl.String)),
            ),
            reason_code=reason_code,
            derived={flag: ok.fill_null(False).alias(flag)},
        ),
        Check(
            usual_name,
            gxe.ExpectColumnValuesToBeBetween(
                column=column, max_value=high, meta={"name": usual_name, "severity": "warning"}
            ),
            "warning",
        ),
    ]
