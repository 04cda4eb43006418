"""Tally Day Books (XML exports, Tally's Excel Day Book): stock lines of sales, purchases and notes to
raw/tally_voucher_lines."""

from ingest.core.source import SourceKind
from ingest.tally_daybook.contract import TALLY_VOUCHER_LINES
from ingest.tally_daybook.reader import read
from ingest.tally_daybook.totals import preview_totals

SOURCE = SourceKind(
    name="tally_daybook",
    description="Tally Day Books (XML in UTF-16 or UTF-8, or Tally's Excel Day Book) to raw/tally_voucher_lines",
    contracts={TALLY_VOUCHER_LINES.table: TALLY_VOUCHER_LINES},
    read=read,
    suite="expectations.suites.tally_daybook",
    load_order=10,
    preview_totals=preview_totals,
)
