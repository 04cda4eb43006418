"""Expectations on the key warehouse marts, run after each dbt build (as Dagster asset checks on the marts).

Blocking checks guard what analysts would be misled by if it were published: missing keys, duplicate ids, dates
that cannot have happened, non-positive quantities, an arithmetic identity that does not hold, or a share outside
0..1 that is a share by construction (its numerator is a subset of its denominator). A failure stops the publish
step and fails the run. Warnings are rates that real data can push outside the usual range (a distributor's
misreported opening stock makes sell-through exceed 1): stored and shown in Data Docs only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

import great_expectations.expectations as gxe
import polars as pl

MartSeverity = Literal["blocking", "warning"]


@dataclass(frozen=True)
class MartCheck:
    """One expectation on a mart; `derived` are helper columns computed in Polars before validation."""

    name: str
    expectation: Any  # a great_expectations.expectations.Expectation
    severity: MartSeverity
    derived: dict[str, pl.Expr] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        return getattr(self.expectation, "column", None)

    def columns(self) -> list[str]:
        """Mart columns the check reads (derived columns replaced by the columns they are computed from)."""
        found = list(getattr(self.expectation, "column_list", None) or [])
        if self.column:
            found.append(self.column)
        for expr in self.derived.values():
            found.extend(expr.meta.root_names())
        return [c for c in found if c not in self.derived]


def _meta(name: str, severity: MartSeverity) -> dict:
    return {"name": name, "severity": severity}


def not_null(columns: tuple[str, ...], severity: MartSeverity = "blocking") -> list[MartCheck]:
    return [
        MartCheck(
            f"{c}_not_null",
            gxe.ExpectColumnValuesToNotBeNull(column=c, meta=_meta(f"{c}_not_null", severity)),
            severity,
        )
        for c in columns
    ]


def unique(column: str, severity: MartSeverity = "blocking") -> MartCheck:
    name = f"{column}_unique"
    return MartCheck(name, gxe.ExpectColumnValuesToBeUnique(column=column, meta=_meta(name, severity)), severity)


def between(column: str, low: float | None, high: float | None, severity: MartSeverity = "blocking") -> MartCheck:
    """Nulls pass (a rate with an empty denominator is null, not wrong)."""
    name = f"{column}_between_{low:g}_and_{high:g}" if low is not None and high is not None else f"{column}_in_range"
    expectation = gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, meta=_meta(name, severity)
    )
    return MartCheck(name, expectation, severity)


def positive(column: str, severity: MartSeverity = "blocking") -> MartCheck:
    name = f"{column}_positive"
    expectation = gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=0, strict_min=True, meta=_meta(name, severity)
    )
    return MartCheck(name, expectation, severity)


def not_in_future(column: str, today: date, severity: MartSeverity = "blocking") -> MartCheck:
    """`today` is the business day in India when the check runs."""
    name = f"{column}_not_in_future"
    expectation = gxe.ExpectColumnValuesToBeBetween(
        column=column, max_value=datetime.combine(today, time.max), meta=_meta(name, severity)
    )
    return MartCheck(name, expectation, severity)


def holds(name: str, condition: pl.Expr, severity: MartSeverity = "blocking") -> MartCheck:
    """A row-wise condition (computed in Polars) that must be true on every row; null counts as false."""
    flag = f"_{name}"
    expectation = gxe.ExpectColumnValuesToBeInSet(column=flag, value_set=[True], meta=_meta(name, severity))
    return MartCheck(name, expectation, severity, derived={flag: condition.fill_null(False).alias(flag)})


def _shares(*columns: str, severity: MartSeverity = "blocking") -> list[MartCheck]:
    return [between(c, 0, 1, severity) for c in columns]


def _secondary_sales(today: date) -> list[MartCheck]:
    keys = ("sales_line_key", "invoice_date", "distributor_code", "sku_code", "line_type")
    return [
        *not_null(keys),
        unique("sales_line_key"),
        positive("quantity_units"),
        not_in_future("invoice_date", today),
        between("net_amount", 0, None, "warning"),
    ]


def _stock_reconciliation(today: date) -> list[MartCheck]:
    return [
        *not_null(("distributor_code", "sku_code", "period_start", "period_end")),
        holds(
            "variance_is_reported_minus_computed",
            pl.col("variance_units") == pl.col("reported_closing_units") - pl.col("computed_closing_units"),
        ),
        holds("period_end_not_before_start", pl.col("period_end") >= pl.col("period_start")),
    ]


def _dim_outlet(today: date) -> list[MartCheck]:
    return [*not_null(("outlet_code", "distributor_code")), unique("outlet_code")]


def _scorecard(today: date) -> list[MartCheck]:
    return [
        *not_null(("distributor_code",)),
        unique("distributor_code"),
        *_shares("on_time_rate", "quarantine_rate", "stock_variance_rate", "expectation_pass_rate"),
        between("mean_abs_variance_pct", 0, None),
    ]


def _rep_incentive(today: date) -> list[MartCheck]:
    """What a rep is paid: never negative, never above what the slabs earned, nothing unless every gate passed,
    never above the cap."""
    return [
        *not_null(("rep_code", "month_start", "payout_amount")),
        between("payout_amount", 0, None),
        holds("paid_only_what_was_earned", pl.col("payout_amount") <= pl.col("earned_amount") + 0.005),
        holds("paid_only_through_the_gates", (pl.col("payout_amount") == 0) | pl.col("gates_passed")),
        holds("payout_within_the_cap", pl.col("cap_pct").is_null() | (pl.col("payout_pct") <= pl.col("cap_pct"))),
    ]


def _retailer_incentive(today: date) -> list[MartCheck]:
    parts = pl.col("loyalty_amount") + pl.col("focus_bonus_amount") + pl.col("new_sku_bonus_amount")
    return [
        *not_null(("master_outlet_id", "month_start", "earned_amount")),
        between("earned_amount", 0, None),
        holds("earned_is_the_sum_of_its_parts", (pl.col("earned_amount") - parts).abs() < 0.005),
    ]


def _scheme_roi(today: date) -> list[MartCheck]:
    return [
        *not_null(("scheme_code", "cost_amount")),
        unique("scheme_code"),
        between("cost_amount", 0, None),
        between("leakage_amount", 0, None),
    ]


# the marts in the warehouse's ops schema (dbt_project/models/marts/ops/, tests/test_dbt_layout.py holds them equal);
# every other mart is in main
OPS_SCHEMA = "ops"
OPS_MARTS = frozenset(
    {
        "fct_file_loads",
        "fct_quarantined_rows",
        "fct_review_queue",
        "fct_data_quality_results",
        "kpi_distributor_scorecard",
    }
)


def mart_schema(mart: str) -> str:
    """The warehouse schema a mart is built in: `ops` for the ledger, quarantine, review and data-quality tables."""
    return OPS_SCHEMA if mart in OPS_MARTS else "main"


# mart (its model name; its schema is mart_schema's) -> the checks, given the business day the check runs on
MART_SUITES: dict[str, Callable[[date], list[MartCheck]]] = {
    "fct_secondary_sales": _secondary_sales,
    "fct_distributor_stock_reconciliation": _stock_reconciliation,
    "dim_outlet": _dim_outlet,
    "kpi_distributor_scorecard": _scorecard,
    "kpi_fill_rate": lambda today: _shares("units_fill_rate", "line_fill_rate"),
    "kpi_effective_coverage": lambda today: _shares("effective_coverage"),
    "kpi_distribution": lambda today: _shares("numeric_distribution", "weighted_distribution"),
    "kpi_sell_through": lambda today: _shares("sell_through_rate", "paid_sell_through_rate", severity="warning"),
    "kpi_brand_distribution": lambda today: _shares("numeric_distribution", "weighted_distribution"),
    "fct_rep_incentive": _rep_incentive,
    "fct_retailer_incentive": _retailer_incentive,
    "fct_scheme_roi": _scheme_roi,
    "kpi_primary_secondary": lambda today: not_null(("distributor_code", "month_start", "primary_units")),
}
