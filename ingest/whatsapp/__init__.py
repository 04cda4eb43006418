"""WhatsApp chat exports from distributors' salesmen and retailers: every message to raw/whatsapp_messages."""

from ingest.core.source import SourceKind
from ingest.whatsapp.contract import WHATSAPP_MESSAGES
from ingest.whatsapp.reader import preview_totals, read

SOURCE = SourceKind(
    name="whatsapp",
    description="WhatsApp chat exports (.txt, or the .zip export) to raw/whatsapp_messages",
    contracts={WHATSAPP_MESSAGES.table: WHATSAPP_MESSAGES},
    read=read,
    load_order=50,
    file_patterns=("*.txt", "*.zip"),
    preview_totals=preview_totals,
)
