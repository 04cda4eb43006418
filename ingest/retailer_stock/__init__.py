"""Retailer shelf stock: counts reps record at a visit (field-app export) and modern-trade store inventory.

One source kind, discovered by ingest/registry.py through SOURCE."""

from ingest.core.source import SourceKind
from ingest.retailer_stock.contract import LINES
from ingest.retailer_stock.reader import read

SOURCE = SourceKind(
    name="retailer_stock",
    description=(
        "Retailer shelf stock: counts reps record at a visit (field-app export) and modern-trade store "
        "inventory (CSV, xlsx) to raw/retailer_stock_lines"
    ),
    contracts={LINES.table: LINES},
    read=read,
    suite="expectations.suites.retailer_stock",
    load_order=60,  # after masters (0): items map to SKUs, stores to outlets
)
