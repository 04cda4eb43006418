"""`sellthrough preview` totals of a Tally Day Book: documents are vouchers (their identity, not their number,
which Tally repeats per voucher type and year), amounts are the stock lines' `amount`, per line type."""

from __future__ import annotations

import polars as pl

from ingest.core.source import ReadResult
from ingest.tally_daybook.contract import LINE_TYPES, TALLY_VOUCHER_LINES

SIGNS = {"sale": 1, "return": -1, "purchase": 1, "purchase_return": -1}


def preview_totals(result: ReadResult) -> dict:
    """documents (distinct voucher identities), net_amount (sales - returns: what the Day Book adds to secondary
    sales), purchase_amount (purchases - purchase returns) and lines, pieces and amount per line type."""
    lines = result.tables.get(TALLY_VOUCHER_LINES.table)
    if lines is None or lines.height == 0:
        return {"documents": 0, "net_amount": 0.0, "purchase_amount": 0.0, "by_line_type": {}}
    per_type = (
        lines.group_by("line_type")
        .agg(
            lines=pl.len(),
            documents=pl.col("voucher_key").n_unique(),
            quantity_units=pl.col("quantity_units").sum(),
            unconverted_lines=pl.col("quantity_flag").is_not_null().sum(),
            amount=pl.col("amount").sum().round(2),
        )
        .sort("line_type")
    )
    by_type = {row.pop("line_type"): row for row in per_type.iter_rows(named=True)}

    def signed(*types: str) -> float:
        return round(float(sum(SIGNS[t] * by_type[t]["amount"] for t in types if t in by_type)), 2)

    return {
        "documents": lines["voucher_key"].n_unique(),
        "net_amount": signed("sale", "return"),
        "purchase_amount": signed("purchase", "purchase_return"),
        "by_line_type": {t: by_type[t] for t in LINE_TYPES.values() if t in by_type},
    }
