"""Expectations on the targets master (`raw/masters_targets`), row by row: a target row that cannot be read one way
only is quarantined whole with its reason, never half-used.

- the month is a month: month_start is the first day of one;
- one level: a rep's target or a beat's (never both named; neither named is the distributor's);
- one product scope: a brand or an SKU group (never both named; neither named is all products);
- a measure Sellthrough computes (`units`: billed pieces, `value`: net rupees) and a target above zero.
The references (the distributor, rep, beat, brand and SKU group exist and fit together) are checked in
ingest/masters/hierarchy.py.
"""

from __future__ import annotations

import polars as pl

from expectations.model import Check
from expectations.suites import common
from ingest.core.rows import quote

MEASURES = ["units", "value"]


def _both_named(first: str, second: str) -> pl.Expr:
    return ~(pl.col(first).is_not_null() & pl.col(second).is_not_null())


def _rule(name: str, flag: pl.Expr, reason: pl.Expr, reason_code: str) -> Check:
    column = f"_{name}"
    return Check(
        name,
        common._true(name, column, "row"),
        "row",
        reason=reason,
        reason_code=reason_code,
        derived={column: flag.alias(column)},
    )


def target_checks() -> list[Check]:
    month = pl.col("month_start")
    return [
        _rule(
            "month_start_first_of_month",
            pl.when(month.is_null()).then(None).otherwise(month.dt.day() == 1),
            pl.format("month_start {} is not the first day of a month", month.cast(pl.String)),
            "bad_month",
        ),
        _rule(
            "one_level",
            _both_named("rep_code", "beat_code"),
            pl.format(
                "a target is a rep's or a beat's, not both: rep {} and beat {} are named",
                quote(pl.col("rep_code")),
                quote(pl.col("beat_code")),
            ),
            "ambiguous_target",
        ),
        _rule(
            "one_product_scope",
            _both_named("brand", "sku_group"),
            pl.format(
                "a target is for a brand or an SKU group, not both: brand {} and SKU group {} are named",
                quote(pl.col("brand")),
                quote(pl.col("sku_group")),
            ),
            "ambiguous_target",
        ),
        _rule(
            "measure_known",
            pl.when(pl.col("measure").is_null()).then(None).otherwise(pl.col("measure").is_in(MEASURES)),
            pl.format("measure {} is not one of {}", quote(pl.col("measure")), pl.lit(", ".join(MEASURES))),
            "bad_value",
        ),
        common.between("target", 0.000001, None, reason_code="bad_value", what="target"),
    ]
