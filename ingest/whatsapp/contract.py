"""Contract of `raw/whatsapp_messages`: one row per message of a WhatsApp chat export, system ones included."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract

WHATSAPP_MESSAGES = Contract(
    table="whatsapp_messages",
    schema={
        "distributor_code": pl.String(),
        "chat_name": pl.String(),
        "message_ts": pl.Datetime("us"),
        "author_key": pl.String(),  # HMAC-SHA256 hex of the author (ingest/whatsapp/authors.py); null for system
        "author_display": pl.String(),  # saved contact name as is, phone numbers masked
        "text": pl.String(),  # phone numbers inside the text masked
        "is_system": pl.Boolean(),
        "system_kind": pl.String(),
        "is_media": pl.Boolean(),
        "is_edited": pl.Boolean(),  # WhatsApp marked it edited ("<This message was edited>", removed from text)
        "year_inferred": pl.Boolean(),  # the header had no year: taken from the file's other lines, name or date
    },
    not_null=("distributor_code", "chat_name", "message_ts", "is_system", "is_media", "is_edited", "year_inferred"),
)

# Derived from whatsapp_messages by ingest/whatsapp/orders.py: one row per order line found in a message's text.
WHATSAPP_ORDER_LINES = Contract(
    table="whatsapp_order_lines",
    schema={
        "distributor_code": pl.String(),
        "chat_name": pl.String(),
        "message_ts": pl.Datetime("us"),
        "author_key": pl.String(),
        "order_id": pl.String(),  # stable: hash of distributor, chat and the message's first line number
        "line_number_in_message": pl.Int32(),
        "outlet_code": pl.String(),  # null when no outlet resolved
        "outlet_text": pl.String(),  # the outlet as written (null when taken from the author)
        "sku_code": pl.String(),  # null when no SKU resolved
        "item_text": pl.String(),
        "quantity_units": pl.Int64(),  # pieces; null when cases of an unknown SKU
        "unit_text": pl.String(),
        "confidence": pl.Float64(),  # [0, 1]: SKU match x outlet match x quantity certainty
        "needs_review": pl.Boolean(),
        "review_subject": pl.String(),  # sku | outlet | quantity: the weakest part of a line that needs review
        "status": pl.String(),  # open | cancelled | corrected
        "raw_text": pl.String(),  # the line's text as written (phone numbers masked)
    },
    not_null=(
        "distributor_code",
        "chat_name",
        "message_ts",
        "order_id",
        "line_number_in_message",
        "confidence",
        "needs_review",
        "status",
        "raw_text",
    ),
)
