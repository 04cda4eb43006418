"""Contract of `raw/tally_voucher_lines`: one row per stock line of a trade voucher in a Tally Day Book."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract

TALLY_VOUCHER_LINES = Contract(
    table="tally_voucher_lines",
    schema={
        "distributor_code": pl.String(),
        "voucher_type": pl.String(),  # VOUCHERTYPENAME as written, e.g. a custom "GST Sale"
        "base_type": pl.String(),  # Sales | Purchase | Credit Note | Debit Note
        "voucher_number": pl.String(),
        "voucher_date": pl.Date(),
        "party_name": pl.String(),
        "item_raw": pl.String(),  # STOCKITEMNAME as written
        "sku_code": pl.String(),
        "quantity_units": pl.Int64(),  # billed quantity in pieces (case-like units x units_per_case), positive
        "free_units": pl.Int64(),  # actual - billed quantity when Tally records free goods that way, else 0
        "rate": pl.Float64(),  # per the rate's unit ("80.00/Number" -> 80.0), null when absent
        "amount": pl.Float64(),  # the stock line's value, positive whatever Tally's debit/credit sign
        "line_type": pl.String(),  # sale | return | purchase | purchase_return
    },
    not_null=(
        "distributor_code",
        "voucher_type",
        "base_type",
        "voucher_number",
        "voucher_date",
        "item_raw",
        "sku_code",
        "quantity_units",
        "free_units",
        "line_type",
    ),
)

LINE_TYPES = {"Sales": "sale", "Credit Note": "return", "Purchase": "purchase", "Debit Note": "purchase_return"}
