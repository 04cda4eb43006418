"""The brand's ERP: primary sales (invoices to distributors) and credit notes (returns to the brand)."""

from ingest.core.source import SourceKind
from ingest.primary_sales.contract import PRIMARY_SALES
from ingest.primary_sales.reader import read

SOURCE = SourceKind(
    name="primary_sales",
    description="Brand ERP primary sales and credit notes (CSV, xlsx) to raw/primary_sales",
    contracts={PRIMARY_SALES.table: PRIMARY_SALES},
    read=read,
    suite="expectations.suites.primary_sales",
    load_order=10,
    chunked_text=True,  # each row is read on its own: a large CSV loads in chunks (ingest/core/chunked.py)
)
