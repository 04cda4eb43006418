"""Contract of `raw/tally_voucher_lines`: one row per stock line of a trade voucher in a Tally Day Book."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract

TALLY_VOUCHER_LINES = Contract(
    table="tally_voucher_lines",
    schema={
        "distributor_code": pl.String(),
        # the voucher's identity: Tally's GUID (else VCHKEY, else REMOTEID); an export without any (the Excel Day
        # Book) gets `voucher type|number|date|party`. Numbers alone repeat: per voucher type, per financial year,
        # and a purchase carries the supplier's bill number.
        "voucher_key": pl.String(),
        "voucher_type": pl.String(),  # VOUCHERTYPENAME as written, e.g. a custom "GST Sale"
        "base_type": pl.String(),  # Sales | Purchase | Credit Note | Debit Note
        "voucher_number": pl.String(),
        "voucher_date": pl.Date(),
        "party_name": pl.String(),
        "item_raw": pl.String(),  # STOCKITEMNAME as written
        "sku_code": pl.String(),
        "quantity": pl.Float64(),  # the billed quantity in `unit`, as written (7.5 for "7.5 KG"), positive
        "unit": pl.String(),  # the unit Tally wrote ("Number", "KG", "Pair", "Box"); null when it wrote none
        # pieces of the SKU (ingest/core/units.py: the SKU master's units, piece and case names, pack weights);
        # null when the unit is unknown or gives a fraction of a piece: then quantity_flag says so
        "quantity_units": pl.Int64(),
        "free_units": pl.Int64(),  # actual - billed quantity in pieces (Tally's free goods), else 0; null as above
        "quantity_flag": pl.String(),  # null, or `unknown_unit` / `not_whole_pieces` (quantity_units is null)
        "rate": pl.Float64(),  # per the rate's unit ("80.00/Number" -> 80.0), null when absent
        "amount": pl.Float64(),  # the stock line's value, positive whatever Tally's debit/credit sign
        "line_type": pl.String(),  # sale | return | purchase | purchase_return
    },
    not_null=(
        "distributor_code",
        "voucher_key",
        "voucher_type",
        "base_type",
        "voucher_number",
        "voucher_date",
        "item_raw",
        "sku_code",
        "quantity",
        "line_type",
    ),
)

LINE_TYPES = {"Sales": "sale", "Credit Note": "return", "Purchase": "purchase", "Debit Note": "purchase_return"}
QUANTITY_FLAGS = ("unknown_unit", "not_whole_pieces")
