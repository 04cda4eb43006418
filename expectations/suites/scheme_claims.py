"""Expectations on `raw/scheme_claims`: a distributor's monthly claims per scheme and retailer."""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

MAX_CLAIM = 10_000_000.0


def checks(ctx: SuiteContext) -> list[Check]:
    return [
        *common.not_null(("distributor_code", "claim_month", "scheme_code", "claimed_amount")),
        common.not_in_future("claim_month", ctx, severity="file"),
        common.between("claimed_amount", 0, MAX_CLAIM, reason_code="bad_amount", what="claimed amount"),
    ]


SUITE = Suite("scheme_claims", checks)
