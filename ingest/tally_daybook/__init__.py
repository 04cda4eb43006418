"""Tally Day Book XML exports: stock lines of sales, purchases and notes to raw/tally_voucher_lines."""

from ingest.core.source import SourceKind
from ingest.tally_daybook.contract import TALLY_VOUCHER_LINES
from ingest.tally_daybook.reader import read

SOURCE = SourceKind(
    name="tally_daybook",
    description="Tally Day Book XML exports (UTF-16 or UTF-8) to raw/tally_voucher_lines",
    contracts={TALLY_VOUCHER_LINES.table: TALLY_VOUCHER_LINES},
    read=read,
    load_order=10,
)
