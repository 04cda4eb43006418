"""WhatsApp chat exports from distributors' salesmen and retailers: every message to raw/whatsapp_messages,
the order lines in their text to raw/whatsapp_order_lines."""

from ingest.core.source import SourceKind
from ingest.whatsapp.contract import WHATSAPP_MESSAGES, WHATSAPP_ORDER_LINES
from ingest.whatsapp.reader import preview_totals, read

SOURCE = SourceKind(
    name="whatsapp",
    description="WhatsApp chat exports (.txt, or the .zip export) to raw/whatsapp_messages and order lines",
    contracts={WHATSAPP_MESSAGES.table: WHATSAPP_MESSAGES, WHATSAPP_ORDER_LINES.table: WHATSAPP_ORDER_LINES},
    read=read,
    suite="expectations.suites.whatsapp",
    load_order=50,
    file_patterns=("*.txt", "*.zip"),
    preview_totals=preview_totals,
)
