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
    },
    not_null=("distributor_code", "chat_name", "message_ts", "is_system", "is_media"),
)
