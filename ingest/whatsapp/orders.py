"""Order lines out of WhatsApp message text: `raw/whatsapp_order_lines`, derived from `raw/whatsapp_messages`.

What a message can be (English and Hinglish, as salesmen and retailers type them):
- an order: "Sharma Kirana - Parle G 100g 5 cs, monaco 2 box", "order: 10 ctn good day cashew for Laxmi",
  one item per line under an outlet line, "Laxmi ke liye 2 peti marie 75g bhejo"; quantity before or after the
  item; units case/cs/ctn/carton/peti/box/dabba (cases), pcs/pc/pkt/packet/nos/units (pieces), dozen/dz (12
  pieces); a bare number is read as pieces but with low certainty.
- a cancellation: "cancel", "cancel order", "cancel Laxmi order", "Laxmi ka order cancel karo": the named
  outlet's (else the author's) last order within 24 hours is cancelled.
- a correction: "sorry 3 not 5", "5 nahi 3": the line of the author's last order (within 24 hours) written with
  5 gets 3 (same unit). No such line, or more than one: that order is flagged for review, nothing is guessed.
- anything else (greetings, "ok", payment talk, numbers that are no quantity, system and media messages): no
  lines.

An order line needs order context, all three of:
- a known sender or group: the author is in the chat-senders master (`masters/chat_senders.csv`, by keyed hash)
  or is a phone number the outlet master lists, or the chat itself is (a group registered by its name, a
  one-to-one chat with a known sender). Other chats load their messages and give no order lines.
- a quantity that can be a count (`order_text.is_count`: never phone digits, masked or not, @-mentions, years,
  times, dates, prices, scores, codes) in a message that reads as an order: a trade unit (cs, ctn, pcs, pkt, nos,
  dz, peti, dabba); an everyday unit (packet, box, case, dozen...) with a pack size on the item, an exact alias, or
  an order-like message; a bare number with an exact alias or an order-like message. Order-like: order / bhejo /
  send / chahiye / pls..., a known outlet named, or several items, and no errand or story (bring, get, bought,
  le aana, khaye).
- a SKU match (`catalogue.Catalogue.match_sku`): an exact alias or master name, or every word of the item a word
  of the SKU's names. An item no SKU matches gives no line (the message stays in `whatsapp_messages`).

The outlet is the one named in the message ("X - ...", "X:", an outlet line, "for X", "X ke liye"), else the
author's outlet (the senders master's outlet, a phone number in the outlet master, or a saved name close to an
outlet's name). Outlets and SKUs are matched exactly through the distributor's aliases and the master names
first, then with rapidfuzz (`fuzzy=False` keeps only the exact matches: the benchmark's baseline). Every line has
a confidence: SKU match x outlet match x quantity certainty; below the threshold (default 0.8) it is written with
`needs_review`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl

from ingest.whatsapp.catalogue import Catalogue
from ingest.whatsapp.contract import WHATSAPP_ORDER_LINES
from ingest.whatsapp.order_text import (
    CHATTER_RE,
    ERRAND_RE,
    FILLERS,
    ORDER_CUE,
    TRADE_UNITS,
    UNIT_ALT,
    parse_quantity,
    split_pack,
)

__all__ = ["Catalogue", "OrderContext", "Settings", "extract_orders", "order_id"]

DEFAULT_THRESHOLD = 0.8
FOLLOW_UP_WINDOW = timedelta(hours=24)

CANCEL_RE = re.compile(r"\bcancel(?:led|l?ed)?\b", re.IGNORECASE)
CANCEL_WORDS = frozenset(
    [
        "cancel",
        "cancelled",
        "canceled",
        "order",
        "orders",
        "the",
        "my",
        "this",
        "please",
        "pls",
        "plz",
        "kar",
        "do",
        "karo",
        "kardo",
        "kar_do",
        "ka",
        "ke",
        "ki",
        "sorry",
        "bhai",
        "bhaiya",
        "ji",
        "sir",
        "hai",
        "wala",
        "wali",
        "dena",
        "dijiye",
        "for",
        "of",
    ]
)
_UNIT_OPT = rf"(?:\s*(?:{UNIT_ALT}))?"
CORRECTION_EN = re.compile(rf"(?<![\w.])(\d+){_UNIT_OPT}\s+not\s+(\d+){_UNIT_OPT}(?![\w.])", re.IGNORECASE)
CORRECTION_HI = re.compile(
    rf"(?<![\w.])(\d+){_UNIT_OPT}\s+(?:nahi|nahin|nai|nhi)\s*,?\s*(\d+){_UNIT_OPT}(?![\w.])", re.IGNORECASE
)
OUTLET_PREFIX = re.compile(r"^\s*\*?(?P<name>[^\d\n:,*]{2,80}?)\*?\s*(?:\s[-–]|:)\s*(?=\S)")
OUTLET_FOR = re.compile(r"\bfor\s+(?P<name>[^\d,]+?)\s*[.!]*\s*$", re.IGNORECASE)
OUTLET_KE_LIYE = re.compile(r"^\s*(?P<name>[^\d,]+?)\s+(?:ke\s+liye|ke\s+lie|ka\s+order)\b[\s:,-]*", re.IGNORECASE)
_OUTLET_NOISE = re.compile(r"^(?:new\s+)?order\s*(?:for|:|-)?\s*|\s*(?:ka|ke)\s+order\s*$|[*:]", re.IGNORECASE)
SPLIT_RE = re.compile(r"\s*(?:[;\n]|(?<!\d),|,(?!\d))\s*|\s+(?:aur|and|\+)\s+", re.IGNORECASE)  # not "1,250"


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULT_THRESHOLD
    fuzzy: bool = True  # False: exact alias / master-name matches only (the benchmark's baseline)


@dataclass(frozen=True)
class OrderContext:
    """Who may order in this chat: author_key -> (outlet_code, score) for authors who are an outlet; the keys of
    known senders; and whether the chat itself is registered (then every author may order)."""

    author_outlets: dict[str, tuple[str | None, float]] = field(default_factory=dict)
    known_authors: frozenset[str] = frozenset()
    chat_known: bool = False

    def may_order(self, author: str | None) -> bool:
        return self.chat_known or (author is not None and author in self.known_authors)


# --- one message's text ------------------------------------------------------------------------------------------
@dataclass
class Parsed:
    """One order line as read from text, before the masters are applied."""

    raw_text: str
    item_text: str
    count: float
    unit_kind: str  # case | piece | dozen
    unit_text: str | None
    certainty: float
    outlet_text: str | None


def _clean_outlet(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = _OUTLET_NOISE.sub(" ", text).strip(" -–:*.")
    cleaned = " ".join(cleaned.split())
    return cleaned if cleaned and cleaned.lower() not in FILLERS and re.search(r"[a-z]{2}", cleaned.lower()) else None


def _message_outlet(lines: list[str]) -> tuple[str | None, list[str]]:
    """The outlet named at the top of a message ("X - ...", "X:", an outlet line), and the rest of the text."""
    first = lines[0]
    if not re.search(r"\d", first) and len(lines) > 1:
        return _clean_outlet(first), lines[1:]
    prefix = OUTLET_PREFIX.match(first)
    if prefix:
        return _clean_outlet(prefix.group("name")), [first[prefix.end() :], *lines[1:]]
    return None, lines


def _item_text(rest: str) -> str:
    words = [w for w in re.split(r"\s+", rest.strip(" -–:*.!\t")) if w and w.lower().strip(".,!:-") not in FILLERS]
    return " ".join(words).strip(" -–:*.!,")


def parse_segment(segment: str) -> Parsed | None:
    outlet = None
    text = segment
    for pattern in (OUTLET_FOR, OUTLET_KE_LIYE):
        found = pattern.search(text)
        if found:
            outlet = _clean_outlet(found.group("name"))
            text = text[: found.start()] + " " + text[found.end() :]
    quantity = parse_quantity(text)
    if quantity is None:
        return None
    count, kind, unit, certainty, rest = quantity
    item = _item_text(rest)
    if not item or count <= 0:
        return None
    return Parsed(segment.strip(), item, count, kind, unit, certainty, outlet)


def parse_order_text(text: str) -> tuple[str | None, list[Parsed]]:
    """The outlet named in a message (or None) and its order lines, masters aside."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or CHATTER_RE.search(text):
        return None, []
    outlet, body = _message_outlet(lines)
    parsed = [p for line in body for s in SPLIT_RE.split(line) if s.strip() for p in [parse_segment(s)] if p]
    if outlet is None:
        outlet = next((p.outlet_text for p in parsed if p.outlet_text), None)
    return outlet, parsed


def parse_cancel(text: str) -> tuple[bool, str | None]:
    """(is a cancellation, the outlet it names or None)."""
    if not CANCEL_RE.search(text) or len(text) > 80 or re.search(r"\d", text):
        return False, None
    words = [w for w in re.split(r"[^\w&/.']+", text) if w and w.lower() not in CANCEL_WORDS]
    return True, (" ".join(words) or None)


def parse_correction(text: str) -> tuple[int, int, str] | None:
    """(wrong count, right count, the rest of the text) of "sorry 3 not 5" / "5 nahi 3"."""
    if len(text) > 80:
        return None
    english = CORRECTION_EN.search(text)
    if english:
        return int(english.group(2)), int(english.group(1)), text[: english.start()] + text[english.end() :]
    hinglish = CORRECTION_HI.search(text)
    if hinglish:
        return int(hinglish.group(1)), int(hinglish.group(2)), text[: hinglish.start()] + text[hinglish.end() :]
    return None


# --- a chat's messages, in order ---------------------------------------------------------------------------------
@dataclass
class _Order:
    message_ts: datetime
    author_key: str | None
    outlet_code: str | None
    lines: list[dict]


@dataclass
class _Extraction:
    catalogue: Catalogue
    settings: Settings
    orders: list[_Order] = field(default_factory=list)

    def last_order(self, when: datetime, author: str | None = None, outlet: str | None = None) -> _Order | None:
        for order in reversed(self.orders):
            if when - order.message_ts > FOLLOW_UP_WINDOW:
                return None
            if (outlet is not None and order.outlet_code == outlet) or (outlet is None and order.author_key == author):
                return order
        return None

    def cancel(self, when: datetime, author: str | None, named: str | None) -> None:
        outlet = None
        if named is not None:
            outlet, score = self.catalogue.match_outlet(named)
            if outlet is None or score < self.settings.threshold:
                _flag(self.last_order(when, author))  # which outlet is meant is unclear: a person decides
                return
        order = self.last_order(when, author, outlet)
        for line in order.lines if order else []:
            line["status"] = "cancelled"

    def correct(self, when: datetime, author: str | None, wrong: int, right: int, rest: str) -> None:
        order = self.last_order(when, author)
        if order is None:
            return
        lines = [ln for ln in order.lines if ln["status"] != "cancelled" and ln["_count"] == wrong]
        item = _item_text(re.sub(r"\b(sorry|correction|oops|galti|se)\b", " ", rest, flags=re.IGNORECASE))
        if len(lines) > 1 and item:
            sku, _ = self.catalogue.match_sku(item)
            lines = [ln for ln in lines if ln["sku_code"] == sku]
        if len(lines) != 1:
            _flag(order)
            return
        line = lines[0]
        factor = (line["quantity_units"] / wrong) if line["quantity_units"] is not None else None
        line["quantity_units"] = round(factor * right) if factor is not None else None
        line["_count"] = right
        line["status"] = "corrected"


def _flag(order: _Order | None) -> None:
    for line in order.lines if order else []:
        line["needs_review"] = True
        line["review_subject"] = line.get("review_subject") or "quantity"  # an ambiguous cancel or correction


def order_id(distributor_code: str, chat: str, line_number: int) -> str:
    return hashlib.sha256(f"{distributor_code}\x1f{chat}\x1f{line_number}".encode()).hexdigest()[:20]


def extract_orders(
    rows: pl.DataFrame, catalogue: Catalogue, context: OrderContext, settings: Settings | None = None
) -> pl.DataFrame:
    """Order lines of a chat's contract rows (`whatsapp_messages` columns plus `_row_number`), in file order."""
    settings = settings or Settings()
    state = _Extraction(catalogue, settings)
    if not catalogue.has_skus:
        return _frame([])  # no SKU master loaded (a preview on a new machine): nothing can be read as an order
    columns = ("distributor_code", "chat_name", "message_ts", "author_key", "text", "is_system", "is_media")
    for row in rows.select(*columns, "_row_number").iter_rows(named=True):
        if row["is_system"] or row["is_media"] or not row["text"] or row["message_ts"] is None:
            continue
        if context.may_order(row["author_key"]):
            _message(state, row, context)
    return _frame([line for order in state.orders for line in order.lines])


def _message(state: _Extraction, row: dict, context: OrderContext) -> None:
    text, when, author = row["text"], row["message_ts"], row["author_key"]
    cancelled, named = parse_cancel(text)
    if cancelled:
        state.cancel(when, author, named)
        return
    correction = parse_correction(text)
    if correction is not None:
        state.correct(when, author, *correction)
        return
    outlet_text, parsed = parse_order_text(text)
    matched = [(p, *state.catalogue.match_sku(p.item_text)) for p in parsed]
    matched = [(p, sku, score) for p, sku, score in matched if sku is not None]
    order_like = _order_like(state, text, outlet_text, matched)
    lines = [_line(state, row, p, sku, score, outlet_text, context, order_like) for p, sku, score in matched]
    lines = [line for line in lines if line is not None]
    for number, line in enumerate(lines, start=1):
        line["line_number_in_message"] = number
    if lines:
        outlet = lines[0]["outlet_code"]
        state.orders.append(_Order(when, author, outlet, lines))


def _specific(item: str) -> bool:
    """The item names its pack size ("jeera soda 250ml"), not only words that everyday talk uses too."""
    return split_pack(item)[1] is not None


def _order_like(state: _Extraction, text: str, outlet_text: str | None, matched: list) -> bool:
    """An order word ("order", "bhejo", "pls"...), a known outlet named, or a list of several items; never an
    errand or a story ("bring", "le aana", "bought")."""
    if ERRAND_RE.search(text):
        return False
    if ORDER_CUE.search(text) or len(matched) >= 2:
        return True
    return outlet_text is not None and state.catalogue.match_outlet(outlet_text)[1] >= state.settings.threshold


def _line(
    state: _Extraction,
    row: dict,
    parsed: Parsed,
    sku: str,
    sku_score: float,
    outlet_text: str | None,
    context: OrderContext,
    order_like: bool,
) -> dict | None:
    catalogue = state.catalogue
    exact = catalogue.exact_sku(parsed.item_text) is not None
    if parsed.unit_text is None:
        if sku_score < 0.8:
            return None  # a bare number next to words that read only roughly as a SKU: chatter, not an order
        if not order_like and not exact:
            return None  # "2 cola" in passing: a bare number needs an order-like message or an exact alias
    elif not (order_like or exact or parsed.unit_text.lower() in TRADE_UNITS or _specific(parsed.item_text)):
        return None  # "3 packets of jeera soda": an everyday unit, no pack size, and no order-like message
    written = parsed.outlet_text or outlet_text
    if written:
        outlet, outlet_score = catalogue.match_outlet(written)
    else:
        outlet, outlet_score = context.author_outlets.get(row["author_key"], (None, 0.0))
    if outlet is None:
        outlet_score = 0.6
    confidence = round(max(0.0, min(1.0, sku_score * outlet_score * parsed.certainty)), 4)
    quantity = _units(parsed, catalogue.units_per_case(sku))
    return {
        "distributor_code": row["distributor_code"],
        "chat_name": row["chat_name"],
        "message_ts": row["message_ts"],
        "author_key": row["author_key"],
        "order_id": order_id(row["distributor_code"], row["chat_name"], row["_row_number"]),
        "outlet_code": outlet,
        "outlet_text": written,
        "sku_code": sku,
        "item_text": parsed.item_text,
        "quantity_units": quantity,
        "unit_text": parsed.unit_text,
        "confidence": confidence,
        "needs_review": confidence < state.settings.threshold or quantity is None,
        "review_subject": _review_subject(
            sku, sku_score, outlet, outlet_score, parsed.certainty, quantity, confidence, state.settings.threshold
        ),
        "status": "open",
        "raw_text": parsed.raw_text,
        "_row_number": row["_row_number"],
        "_count": int(parsed.count) if parsed.count.is_integer() else parsed.count,
    }


def _review_subject(
    sku: str | None,
    sku_score: float,
    outlet: str | None,
    outlet_score: float,
    certainty: float,
    quantity: int | None,
    confidence: float,
    threshold: float,
) -> str | None:
    """What a person must look at on a line that needs review: the weakest of its SKU match, outlet match and
    quantity (`sku`, `outlet`, `quantity`); null when the line needs no review."""
    if sku is None:
        return "sku"
    if quantity is None:
        return "quantity"
    if confidence >= threshold:
        return None
    if outlet is None:
        return "outlet"
    weakest = min((sku_score, 0, "sku"), (outlet_score, 1, "outlet"), (certainty, 2, "quantity"))
    return weakest[2]


def _units(parsed: Parsed, units_per_case: int | None) -> int | None:
    if parsed.unit_kind == "case":
        return round(parsed.count * units_per_case) if units_per_case else None
    if parsed.unit_kind == "dozen":
        return round(parsed.count * 12)
    return round(parsed.count)


def _frame(lines: list[dict]) -> pl.DataFrame:
    schema = {**WHATSAPP_ORDER_LINES.schema, "_row_number": pl.Int32()}
    return pl.DataFrame([{k: line.get(k) for k in schema} for line in lines], schema=schema)
