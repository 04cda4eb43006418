"""Distributors' monthly stock statements: opening, receipts, sales and closing per SKU."""

from ingest.core.source import SourceKind
from ingest.stock_statement.contract import STOCK_STATEMENT
from ingest.stock_statement.reader import read

SOURCE = SourceKind(
    name="stock_statement",
    description="Monthly distributor stock statements (xlsx, xls, CSV) to raw/stock_statement",
    contracts={STOCK_STATEMENT.table: STOCK_STATEMENT},
    read=read,
    suite="expectations.suites.stock_statement",
    load_order=10,
)
