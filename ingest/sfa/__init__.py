"""Field-sales app (SFA) exports: reps' visits to outlets and the orders they took, synced from their phones."""

from ingest.core.source import SourceKind
from ingest.sfa.contract import SFA_ORDER_LINES, SFA_VISITS
from ingest.sfa.reader import preview_totals, read

SOURCE = SourceKind(
    name="sfa",
    description="Field-sales app exports (JSON lines or CSV) to raw/sfa_visits and raw/sfa_order_lines",
    contracts={SFA_VISITS.table: SFA_VISITS, SFA_ORDER_LINES.table: SFA_ORDER_LINES},
    read=read,
    suite="expectations.suites.sfa",
    load_order=60,
    file_patterns=("*.jsonl", "*.json", "*.csv", "*.ndjson"),
    preview_totals=preview_totals,
)
