"""Building blocks the suites share: required columns, dates, ranges, amounts, invoices and master identities."""

from __future__ import annotations

from datetime import datetime, time

import great_expectations.expectations as gxe
import polars as pl
from stdnum import ean as ean_check

from expectations.model import Check, Severity, SuiteContext
from ingest.core.rows import quote
from ingest.core.rules import INDIA_LAT, INDIA_LON, MOBILE_REGEX, gstin_is_valid

PINCODE_REGEX = r"^[1-9]\d{5}$"


def _meta(name: str, severity: Severity) -> dict:
    return {"name": name, "severity": severity}


def not_null(columns: tuple[str, ...], severity: Severity = "file") -> list[Check]:
    """Required columns present on every row: one expectation over a derived flag (GE costs per expectation)."""
    present = pl.all_horizontal([pl.col(c).is_not_null() for c in columns]).alias("_required_present")
    missing = pl.concat_str(
        [pl.when(pl.col(c).is_null()).then(pl.lit(c)) for c in columns], separator=", ", ignore_nulls=True
    )
    name = "required_columns_not_null"
    return [
        Check(
            name,
            _true(name, "_required_present", severity),
            severity,
            reason=pl.format("required value missing: {}", missing),
            reason_code="missing_value",
            derived={"_required_present": present},
        )
    ]


def in_set(column: str, values: list[str], severity: Severity = "file") -> Check:
    name = f"{column}_in_set"
    return Check(
        name,
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values, meta=_meta(name, severity)),
        severity,
        reason=pl.format("{} {} is not one of {}", pl.lit(column), quote(pl.col(column)), pl.lit(", ".join(values))),
    )


def between(
    column: str,
    low: float | None,
    high: float | None,
    *,
    severity: Severity = "row",
    reason_code: str = "expectation_failed",
    what: str = "value",
) -> Check:
    """Sane range and sign of a number (nulls pass: a missing optional amount is not wrong)."""
    name = f"{column}_within_range"
    return Check(
        name,
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=low, max_value=high, meta=_meta(name, severity)),
        severity,
        reason=pl.format(
            "{} {} is outside the sane range {} to {}",
            pl.lit(what),
            quote(pl.col(column).cast(pl.String)),
            pl.lit("-inf" if low is None else f"{low:g}"),
            pl.lit("inf" if high is None else f"{high:g}"),
        ),
        reason_code=reason_code,
    )


def not_in_future(column: str, ctx: SuiteContext, severity: Severity = "row") -> Check:
    """A business date after today in India (at load time) cannot have happened yet."""
    name = f"{column}_not_in_future"
    latest = ctx.latest_business_date
    return Check(
        name,
        gxe.ExpectColumnValuesToBeBetween(
            column=column, max_value=datetime.combine(latest, time.max), meta=_meta(name, severity)
        ),
        severity,
        reason=pl.format(
            "{} {} is in the future (the file was loaded on {}); check the date in the file",
            pl.lit(column),
            pl.col(column).cast(pl.String),
            pl.lit(latest.isoformat()),
        ),
        reason_code="future_date",
    )


def in_declared_period(column: str, ctx: SuiteContext, severity: Severity = "row") -> list[Check]:
    """A date inside the period the file says it covers (its name, title rows or layout); nothing to check when
    it says none."""
    if ctx.declared_period is None:
        return []
    start, end = ctx.declared_period
    name = f"{column}_in_file_period"
    return [
        Check(
            name,
            gxe.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=datetime.combine(start, time.min),
                max_value=datetime.combine(end, time.max),
                meta=_meta(name, severity),
            ),
            severity,
            reason=pl.format(
                "{} {} is outside the period this file covers ({} to {}, from {})",
                pl.lit(column),
                pl.col(column).cast(pl.String),
                pl.lit(start.isoformat()),
                pl.lit(end.isoformat()),
                pl.lit(ctx.declared_by),
            ),
            reason_code="date_outside_period",
        )
    ]


def _true(name: str, column: str, severity: Severity) -> object:
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=[True], meta=_meta(name, severity))


def amount_matches_rate(quantity: str, rate: str, gross: str | None, net: str) -> Check:
    """Amount within 1% (or 1 rupee) of quantity x rate where both are present.

    The gross amount (before discount) must match; with no gross amount the net one may be lower (a discount
    or scheme comes off it) but never higher than quantity x rate.
    """
    expected = pl.col(quantity).cast(pl.Float64) * pl.col(rate)
    tolerance = pl.max_horizontal(pl.lit(1.0), (expected * 0.01).abs())
    gross_ok = (pl.col(gross) - expected).abs() <= tolerance if gross else pl.lit(None, pl.Boolean)
    net_ok = pl.col(net) <= expected + tolerance
    ok = (
        pl.when(pl.col(rate).is_null() | pl.col(quantity).is_null())
        .then(pl.lit(None, pl.Boolean))
        .when(pl.col(gross).is_not_null() if gross else pl.lit(False))
        .then(gross_ok)
        .when(pl.col(net).is_not_null())
        .then(net_ok)
        .otherwise(pl.lit(None, pl.Boolean))
    )
    amount = pl.coalesce(pl.col(gross), pl.col(net)) if gross else pl.col(net)
    name = "amount_matches_quantity_x_rate"
    return Check(
        name,
        _true(name, "_amount_matches_rate", "row"),
        "row",
        reason=pl.format(
            "amount {} does not match quantity {} x rate {} = {} (tolerance 1% or 1 rupee)",
            amount,
            pl.col(quantity),
            pl.col(rate),
            expected.round(2),
        ),
        reason_code="amount_mismatch",
        derived={"_amount_matches_rate": ok.alias("_amount_matches_rate")},
    )


def document_consistent(number: str, attributes: list[str], what: str = "invoice") -> Check:
    """A document number stands for one document in a file: one party and one date. The same number with a
    different party or date is suspicious (a re-used or mistyped number): its rows are quarantined."""
    variants = pl.struct([pl.col(c) for c in attributes]).n_unique().over(number)
    consistent = pl.when(pl.col(number).is_null()).then(pl.lit(None, pl.Boolean)).otherwise(variants == 1)
    name = f"{number}_unique_per_file"
    return Check(
        name,
        _true(name, "_document_consistent", "row"),
        "row",
        reason=pl.format(
            "{} {} appears with {} different {} in this file; which one is right?",
            pl.lit(what),
            quote(pl.col(number)),
            variants,
            pl.lit("/".join(attributes)),
        ),
        reason_code="duplicate_invoice",
        derived={"_document_consistent": consistent.alias("_document_consistent")},
    )


def _checked(column: str, valid: object, target: str) -> pl.Expr:
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return (
        pl.when(text.is_null() | (text == ""))
        .then(pl.lit(None, pl.Boolean))
        .otherwise(text.map_elements(valid, return_dtype=pl.Boolean))
        .alias(target)
    )


def gstin_valid(column: str = "gstin", severity: Severity = "warning") -> Check:
    name = f"{column}_checksum_valid"
    return Check(
        name,
        _true(name, f"_{column}_valid", severity),
        severity,
        reason=pl.format("GSTIN {} is not valid (shape or check character)", quote(pl.col(column))),
        reason_code="bad_gstin",
        derived={f"_{column}_valid": _checked(column, gstin_is_valid, f"_{column}_valid")},
    )


def ean13_valid(column: str = "ean", severity: Severity = "warning") -> Check:
    name = f"{column}_check_digit_valid"

    def valid(text: str) -> bool:
        return len(text) == 13 and ean_check.is_valid(text)

    return Check(
        name,
        _true(name, f"_{column}_valid", severity),
        severity,
        reason=pl.format("EAN {} is not a valid EAN-13 (13 digits, last one the check digit)", quote(pl.col(column))),
        reason_code="bad_ean",
        derived={f"_{column}_valid": _checked(column, valid, f"_{column}_valid")},
    )


def regex(column: str, pattern: str, name: str, what: str, severity: Severity = "warning") -> Check:
    return Check(
        name,
        gxe.ExpectColumnValuesToMatchRegex(column=column, regex=pattern, meta=_meta(name, severity)),
        severity,
        reason=pl.format("{} {} is not {}", pl.lit(column), quote(pl.col(column)), pl.lit(what)),
        reason_code=f"bad_{column}",
    )


def indian_phone(column: str = "phone", severity: Severity = "warning") -> Check:
    return regex(column, MOBILE_REGEX, f"{column}_indian_mobile", "an Indian mobile (10 digits from 6-9)", severity)


def pincode(column: str = "pincode", severity: Severity = "warning") -> Check:
    return regex(column, PINCODE_REGEX, f"{column}_valid", "a pincode (6 digits, first not 0)", severity)


def gps_in_india(severity: Severity = "warning") -> list[Check]:
    return [
        Check(
            f"{column}_inside_india",
            gxe.ExpectColumnValuesToBeBetween(
                column=column, min_value=low, max_value=high, meta=_meta(f"{column}_inside_india", severity)
            ),
            severity,
            reason=pl.format(
                "GPS {}, {} is outside India", pl.col("latitude").cast(pl.String), pl.col("longitude").cast(pl.String)
            ),
            reason_code="bad_gps",
        )
        for column, (low, high) in (("latitude", INDIA_LAT), ("longitude", INDIA_LON))
    ]


def unique_key(columns: list[str], severity: Severity = "file") -> Check:
    name = f"{'_'.join(columns)}_unique"
    if len(columns) == 1:
        expectation = gxe.ExpectColumnValuesToBeUnique(column=columns[0], meta=_meta(name, severity))
    else:
        expectation = gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, meta=_meta(name, severity))
    return Check(name, expectation, severity, reason=pl.lit(f"{', '.join(columns)} repeats"), reason_code="duplicate")
