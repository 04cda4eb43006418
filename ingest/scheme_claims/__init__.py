"""Distributors' monthly scheme (trade promotion) claims per retailer."""

from ingest.core.source import SourceKind
from ingest.scheme_claims.contract import SCHEME_CLAIMS
from ingest.scheme_claims.reader import read

SOURCE = SourceKind(
    name="scheme_claims",
    description="Monthly scheme claims per scheme and retailer (CSV, xlsx) to raw/scheme_claims",
    contracts={SCHEME_CLAIMS.table: SCHEME_CLAIMS},
    read=read,
    suite="expectations.suites.scheme_claims",
    load_order=20,
)
