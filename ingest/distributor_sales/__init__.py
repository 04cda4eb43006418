"""Distributor secondary-sales files: every billing software's layout, one raw table."""

from ingest.core.source import SourceKind
from ingest.distributor_sales.contract import SECONDARY_SALES
from ingest.distributor_sales.reader import read

SOURCE = SourceKind(
    name="distributor_sales",
    description="Distributor sales registers (xlsx, xlsm, xls, CSV) to raw/secondary_sales",
    contracts={SECONDARY_SALES.table: SECONDARY_SALES},
    read=read,
    suite="expectations.suites.distributor_sales",
    load_order=10,
    chunked_text=True,  # each row is read on its own: a large CSV loads in chunks (ingest/core/chunked.py)
)
