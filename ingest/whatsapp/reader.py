"""WhatsApp chat exports (`.txt`, or a `.zip` export) to `raw/whatsapp_messages`: every message is a row; the
order lines found in their text to `raw/whatsapp_order_lines` (a derived table: rows_read counts messages)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ingest.core.contract import QUARANTINE_SCHEMA
from ingest.core.errors import FileRejected
from ingest.core.rules import mask_phones_in_text
from ingest.core.source import ReadContext, ReadResult
from ingest.whatsapp.authors import author_key, display_author, hash_key
from ingest.whatsapp.contract import WHATSAPP_MESSAGES, WHATSAPP_ORDER_LINES
from ingest.whatsapp.orders import DEFAULT_THRESHOLD, Catalogue, OrderContext, Settings, extract_orders
from ingest.whatsapp.parser import chat_name, parse_chat_file

KIND = "whatsapp"


def read(path: Path, ctx: ReadContext) -> ReadResult:
    try:
        messages = parse_chat_file(path, day_first=ctx.layout(KIND).get("day_first"), name=ctx.file_name)
    except FileRejected as rejected:
        raise FileRejected(rejected.code, rejected.message.replace(path.name, ctx.file_name, 1)) from None
    rows = to_rows(messages, ctx.distributor_code, chat_name(ctx.file_name))
    good = rows.filter(pl.col("message_ts").is_not_null())
    bad = rows.filter(pl.col("message_ts").is_null())
    period = (good["message_ts"].min().date(), good["message_ts"].max().date()) if good.height else None  # type: ignore[union-attr]
    lines = order_lines(messages, good, ctx, chat=chat_name(ctx.file_name))
    return ReadResult(
        tables={WHATSAPP_MESSAGES.table: good, WHATSAPP_ORDER_LINES.table: lines},
        quarantine=_quarantine(bad),
        rows_read=rows.height,
        period=period,
        derived_tables=frozenset({WHATSAPP_ORDER_LINES.table}),
    )


def order_lines(
    messages: pl.DataFrame, rows: pl.DataFrame, ctx: ReadContext, chat: str, fuzzy: bool = True
) -> pl.DataFrame:
    """Order lines of the chat's (dated) contract rows. Who may order comes from the chat-senders master (the
    authors, or the chat itself by its name) and the outlet master's phones; authors are matched to outlets before
    hashing. The review threshold comes from the distributor's layout (`order_review_threshold`, default 0.8)."""
    layout = ctx.layout(KIND)
    settings = Settings(threshold=float(layout.get("order_review_threshold", DEFAULT_THRESHOLD)), fuzzy=fuzzy)
    catalogue = Catalogue(ctx.masters, ctx.distributor_code, fuzzy=fuzzy)
    key = hash_key()
    authors = {author_key(a, key): a for a in messages["author"].unique().drop_nulls().to_list()}
    context = OrderContext(
        author_outlets={k: catalogue.outlet_of_author(a, k) for k, a in authors.items()},
        known_authors=frozenset(k for k, a in authors.items() if catalogue.knows_author(a, k)),
        chat_known=catalogue.knows_chat(chat, key),
    )
    return extract_orders(rows, catalogue, context, settings)


def to_rows(messages: pl.DataFrame, distributor_code: str, chat: str) -> pl.DataFrame:
    """Parsed messages as contract rows: authors hashed and masked, phone numbers in text masked."""
    key = hash_key()
    authors = messages["author"].unique().drop_nulls().to_list()
    keys = {a: author_key(a, key) for a in authors}
    shown = {a: display_author(a) for a in authors}
    return messages.select(
        pl.lit(distributor_code, pl.String).alias("distributor_code"),
        pl.lit(chat, pl.String).alias("chat_name"),
        pl.col("timestamp").alias("message_ts"),
        pl.col("author").replace_strict(keys, default=None, return_dtype=pl.String).alias("author_key"),
        pl.col("author").replace_strict(shown, default=None, return_dtype=pl.String).alias("author_display"),
        pl.col("text").map_elements(mask_phones_in_text, return_dtype=pl.String).alias("text"),
        pl.col("is_system"),
        pl.col("system_kind"),
        pl.col("is_media"),
        pl.col("is_edited"),
        pl.col("year_inferred"),
        pl.lit(None, pl.String).alias("_sheet"),
        pl.col("line_number").alias("_row_number"),
    )


def _quarantine(bad: pl.DataFrame) -> pl.DataFrame:
    records = [
        {
            "_sheet": None,
            "_row_number": row["_row_number"],
            "reason_code": "bad_date",
            "reason": f"line {row['_row_number']}: the message header's date or time is impossible",
            "raw_values": json.dumps(
                {"author_display": row["author_display"], "text": row["text"]}, ensure_ascii=False
            ),
        }
        for row in bad.iter_rows(named=True)
    ]
    schema = {k: QUARANTINE_SCHEMA[k] for k in ("_sheet", "_row_number", "reason_code", "reason", "raw_values")}
    return pl.DataFrame(records, schema=schema)


def preview_totals(result: ReadResult) -> dict:
    """Extra `sellthrough preview` totals: messages (system ones included), system messages, authors, edited
    messages, messages whose year was inferred, order lines, dates."""
    frame = result.tables.get(WHATSAPP_MESSAGES.table, pl.DataFrame(schema=WHATSAPP_MESSAGES.schema))
    return {
        "messages": result.rows_read,
        "system_messages": int(frame["is_system"].sum()) if frame.height else 0,
        "authors": frame["author_key"].drop_nulls().n_unique() if frame.height else 0,
        "edited_messages": int(frame["is_edited"].sum()) if frame.height else 0,
        "year_inferred_messages": int(frame["year_inferred"].sum()) if frame.height else 0,
        "order_lines": result.tables[WHATSAPP_ORDER_LINES.table].height
        if WHATSAPP_ORDER_LINES.table in result.tables
        else 0,
        "date_min": result.period[0].isoformat() if result.period else None,
        "date_max": result.period[1].isoformat() if result.period else None,
    }
