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
- anything else (greetings, "ok", payment talk, system and media messages): no lines.

The outlet is the one named in the message ("X - ...", "X:", an outlet line, "for X", "X ke liye"), else the
author's outlet (a phone number in the outlet master, or a saved name close to an outlet's name). Outlets and
SKUs are matched exactly through the distributor's aliases and the master names first, then with rapidfuzz
(`fuzzy=False` keeps only the exact matches: the benchmark's baseline). Every line has a confidence: SKU match x
outlet match x quantity certainty; below the threshold (default 0.8) it is written with `needs_review`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import polars as pl
from rapidfuzz import fuzz, process

from ingest.core.masters import MasterData
from ingest.whatsapp.authors import clean_author, is_phone
from ingest.whatsapp.contract import WHATSAPP_ORDER_LINES

DEFAULT_THRESHOLD = 0.8
FOLLOW_UP_WINDOW = timedelta(hours=24)

CASE_WORDS = ("cases", "case", "cs", "ctns", "ctn", "cartons", "carton", "petis", "peti", "petti", "boxes", "box")
CASE_WORDS += ("bx", "dabbe", "dabba", "dibba")
PIECE_WORDS = ("pieces", "piece", "pcs", "pc", "pkts", "pkt", "packets", "packet", "nos", "units", "unit")
DOZEN_WORDS = ("dozens", "dozen", "doz", "dz", "darjan", "darzan")
UNIT_KIND = {**dict.fromkeys(CASE_WORDS, "case"), **dict.fromkeys(PIECE_WORDS, "piece")}
UNIT_KIND |= dict.fromkeys(DOZEN_WORDS, "dozen")
_UNIT_ALT = "|".join(sorted(UNIT_KIND, key=len, reverse=True))
_PACK_UNITS = {"g": "g", "gm": "g", "gms": "g", "gr": "g", "gram": "g", "grams": "g", "kg": "kg", "kgs": "kg"}
_PACK_UNITS |= {"ml": "ml", "mls": "ml", "l": "l", "lt": "l", "ltr": "l", "ltrs": "l", "litre": "l", "liter": "l"}
_PACK_ALT = "|".join(sorted(_PACK_UNITS, key=len, reverse=True))
PACK_RE = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)\s*({_PACK_ALT})(?![a-z])", re.IGNORECASE)
QTY_RE = re.compile(rf"(?<![\w.\-/])(\d+(?:\.\d+)?)(?:\s*({_UNIT_ALT})(?![a-z])|(?![\w.]))", re.IGNORECASE)
FILLERS = frozenset(
    [
        "bhejo",
        "bhej",
        "bhejna",
        "bhejdo",
        "do",
        "dena",
        "dedo",
        "de",
        "dijiye",
        "dijie",
        "chahiye",
        "chaiye",
        "aur",
        "bhi",
        "ka",
        "ki",
        "ke",
        "please",
        "pls",
        "plz",
        "bhaiya",
        "bhaia",
        "bhai",
        "ji",
        "sir",
        "order",
        "orders",
        "kal",
        "urgent",
        "send",
        "need",
        "want",
        "add",
        "also",
        "the",
        "of",
        "to",
        "me",
        "hai",
        "hain",
        "karo",
        "kar",
        "jaldi",
        "x",
        "and",
        "abhi",
        "asap",
        "today",
        "aaj",
        "wala",
        "wale",
        "wali",
        "hello",
        "hi",
    ]
)
CHATTER_RE = re.compile(
    r"₹|\b(payment|paid|pay|upi|utr|neft|rtgs|imps|cheque|chq|gpay|phonepe|paytm|amount|outstanding|balance|"
    r"ledger|rs|inr|invoice|bill|delivered|received|mila|mil gaya)\b",
    re.IGNORECASE,
)
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
_UNIT_OPT = rf"(?:\s*(?:{_UNIT_ALT}))?"
CORRECTION_EN = re.compile(rf"(?<![\w.])(\d+){_UNIT_OPT}\s+not\s+(\d+){_UNIT_OPT}(?![\w.])", re.IGNORECASE)
CORRECTION_HI = re.compile(
    rf"(?<![\w.])(\d+){_UNIT_OPT}\s+(?:nahi|nahin|nai|nhi)\s*,?\s*(\d+){_UNIT_OPT}(?![\w.])", re.IGNORECASE
)
OUTLET_PREFIX = re.compile(r"^\s*\*?(?P<name>[^\d\n:,*]{2,80}?)\*?\s*(?:\s[-–]|:)\s*(?=\S)")
OUTLET_FOR = re.compile(r"\bfor\s+(?P<name>[^\d,]+?)\s*[.!]*\s*$", re.IGNORECASE)
OUTLET_KE_LIYE = re.compile(r"^\s*(?P<name>[^\d,]+?)\s+(?:ke\s+liye|ke\s+lie|ka\s+order)\b[\s:,-]*", re.IGNORECASE)
_OUTLET_NOISE = re.compile(r"^(?:new\s+)?order\s*(?:for|:|-)?\s*|\s*(?:ka|ke)\s+order\s*$|[*:]", re.IGNORECASE)
_GENERIC = ("store", "stores", "general", "traders", "provision", "provisions", "departmental", "enterprises")
GENERIC_OUTLET_WORDS = frozenset(
    (*_GENERIC, "super", "bazaar", "bazar", "mini", "mart", "co", "m", "s", "shri", "sons", "the", "and", "bakery")
)
SPLIT_RE = re.compile(r"\s*[,;\n]\s*|\s+(?:aur|and|\+)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Settings:
    threshold: float = DEFAULT_THRESHOLD
    fuzzy: bool = True  # False: exact alias / master-name matches only (the benchmark's baseline)


def normal_key(text: str) -> str:
    return re.sub(r"[^0-9a-z\u0900-\u097f]", "", clean_author(text).lower())


def canonical_pack(amount: str, unit: str) -> str:
    value = float(amount)
    number = str(int(value)) if value.is_integer() else str(value)
    return f"{number} {_PACK_UNITS[unit.lower()]}"


def split_pack(text: str) -> tuple[str, str | None]:
    """Text without its pack size, and the pack size ("100 g"), e.g. "Parle G 100gm" -> ("Parle G", "100 g")."""
    found = PACK_RE.search(text)
    if found is None:
        return text, None
    rest = (text[: found.start()] + " " + text[found.end() :]).strip()
    return rest, canonical_pack(found.group(1), found.group(2))


def _distinctive(words: str) -> str:
    """A name without the words every shop has ("General Stores"), unless nothing else is left."""
    kept = [w for w in words.split() if w not in GENERIC_OUTLET_WORDS]
    return " ".join(kept) if kept else words


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z\u0900-\u097f]+", " ", text.lower()).split())


# --- the masters, as one distributor's chat needs them -----------------------------------------------------------
@dataclass
class _Sku:
    code: str
    pack: str | None
    units_per_case: int | None
    names: list[str] = field(default_factory=list)  # product names without the pack, as words


class Catalogue:
    """One distributor's SKUs (master names and its aliases) and outlets, with exact and fuzzy lookups."""

    def __init__(self, masters: MasterData, distributor_code: str, fuzzy: bool = True) -> None:
        self.fuzzy = fuzzy
        self.skus: dict[str, _Sku] = {}
        self.keys: dict[str, str] = {}
        for row in masters.skus.iter_rows(named=True):
            name, pack = split_pack(row["sku_name"] or "")
            self.skus[row["sku_code"]] = _Sku(row["sku_code"], pack, row["units_per_case"], [_words(name)])
            for value in (row["sku_code"], row["sku_name"], row["ean"]):
                if value:
                    self.keys.setdefault(normal_key(value), row["sku_code"])
        aliases = masters.aliases.filter(pl.col("distributor_code") == distributor_code)
        for alias, code in aliases.select("alias", "sku_code").iter_rows():
            if code in self.skus and alias:
                self.keys[normal_key(alias)] = code
                words = _words(split_pack(alias)[0])
                if re.search(r"[a-z]{3}", words) and " " in words:
                    self.skus[code].names.append(words)
        outlets = masters.outlets.filter(pl.col("distributor_code") == distributor_code).sort("outlet_code")
        self.outlet_codes: list[str] = outlets["outlet_code"].to_list()
        self.outlet_names: list[str] = [_words(n or "") for n in outlets["outlet_name"].to_list()]
        self.outlet_matchable = [_distinctive(n) for n in self.outlet_names]
        self.outlet_keys: dict[str, str] = {}
        for code, name in zip(self.outlet_codes, outlets["outlet_name"].to_list(), strict=True):
            self.outlet_keys.setdefault(normal_key(name or ""), code)
        confirmed = masters.outlet_aliases.filter(pl.col("distributor_code") == distributor_code)
        for alias, code in confirmed.select("alias", "outlet_code").iter_rows():
            if alias and code in self.outlet_codes:
                self.outlet_keys[normal_key(alias)] = code  # a reviewer's decision: exact from now on
        self.phones: dict[str, str] = {}
        for code, phone in zip(self.outlet_codes, outlets["phone"].to_list(), strict=True):
            digits = re.sub(r"\D", "", phone or "")
            if len(digits) >= 10:
                self.phones.setdefault(digits[-10:], code)  # lowest code first: a re-registered shop shares it
        self._sku_cache: dict[str, tuple[str | None, float]] = {}
        self._outlet_cache: dict[str, tuple[str | None, float]] = {}

    @property
    def has_skus(self) -> bool:
        return bool(self.skus)

    def units_per_case(self, sku_code: str | None) -> int | None:
        return self.skus[sku_code].units_per_case if sku_code in self.skus else None

    def match_sku(self, item: str) -> tuple[str | None, float]:
        """(sku_code, score in [0, 1]) for an item as written, pack size included."""
        if item not in self._sku_cache:
            self._sku_cache[item] = self._match_sku(item)
        return self._sku_cache[item]

    def _match_sku(self, item: str) -> tuple[str | None, float]:
        exact = self.keys.get(normal_key(item))
        if exact is not None:
            return exact, 1.0
        if not self.fuzzy:
            return None, 0.0
        words, pack = split_pack(item)
        words = _words(words)
        if not words:
            return None, 0.0
        candidates = [s for s in self.skus.values() if pack is not None and s.pack == pack]
        penalty = 1.0
        if not candidates:
            candidates = list(self.skus.values())
            penalty = 0.85 if pack is not None else 1.0
        scored = sorted(
            ((max(fuzz.WRatio(words, n) for n in s.names), s) for s in candidates), key=lambda x: (-x[0], x[1].code)
        )
        best, sku = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        score = best / 100 * penalty
        if best - second < 5:
            score *= 0.8  # two SKUs read alike: a person decides
        if pack is None and sum(1 for s in self.skus.values() if s.names[0] == sku.names[0]) > 1:
            score *= 0.7  # the product comes in several packs and the message names none
        return (sku.code if best >= 60 else None), round(score, 4)

    def match_outlet(self, text: str) -> tuple[str | None, float]:
        if text not in self._outlet_cache:
            self._outlet_cache[text] = self._match_outlet(text)
        return self._outlet_cache[text]

    def _match_outlet(self, text: str) -> tuple[str | None, float]:
        exact = self.outlet_keys.get(normal_key(text))
        if exact is not None:
            return exact, 1.0
        words = _distinctive(_words(text))
        if not self.fuzzy or not words or not self.outlet_names:
            return None, 0.0
        found = process.extract(words, self.outlet_matchable, scorer=fuzz.WRatio, limit=4)
        found.sort(key=lambda f: (-f[1], -fuzz.ratio(words, f[0]), f[2]))
        _, best, index = found[0]
        score = best / 100
        if len(found) > 1 and best - found[1][1] < 3 and _close(words, found[0][0], found[1][0]):
            score *= 0.8  # two outlets fit about as well
        return (self.outlet_codes[index] if best >= 80 else None), round(score, 4)

    def outlet_of_author(self, author: str | None) -> tuple[str | None, float]:
        """The outlet an author is: their phone number in the outlet master, or a saved name close to a name."""
        if not author:
            return None, 0.0
        if is_phone(author):
            digits = re.sub(r"\D", "", author)
            code = self.phones.get(digits[-10:])
            return (code, 1.0) if code else (None, 0.0)
        code, score = self.match_outlet(author)
        return (code, score) if code and score >= 0.9 else (None, 0.0)


def _close(words: str, first: str, second: str) -> bool:
    return fuzz.ratio(words, second) >= fuzz.ratio(words, first) - 3


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


def parse_quantity(segment: str) -> tuple[float, str, str | None, float, str] | None:
    """(count, unit kind, unit as written, certainty, text without the quantity) of one item's segment."""
    without_pack = PACK_RE.sub(lambda m: "#" * len(m.group(0)), segment)
    found = list(QTY_RE.finditer(without_pack))
    if not found:
        return None
    with_unit = [m for m in found if m.group(2)]
    chosen = (with_unit or found)[0]
    if with_unit:
        certainty = 1.0 if len(with_unit) == 1 else 0.5
        kind, unit = UNIT_KIND[chosen.group(2).lower()], chosen.group(2)
    else:
        certainty = 0.7 if len(found) == 1 else 0.4
        kind, unit = "piece", None
    rest = segment[: chosen.start()] + " " + segment[chosen.end() :]
    return float(chosen.group(1)), kind, unit, certainty, rest


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
    rows: pl.DataFrame,
    catalogue: Catalogue,
    author_outlets: dict[str, tuple[str | None, float]],
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Order lines of a chat's contract rows (`whatsapp_messages` columns plus `_row_number`), in file order.

    `author_outlets` maps author_key -> (outlet_code, score) for authors who are an outlet.
    """
    settings = settings or Settings()
    state = _Extraction(catalogue, settings)
    if not catalogue.has_skus:
        return _frame([])  # no SKU master loaded (a preview on a new machine): nothing can be read as an order
    columns = ("distributor_code", "chat_name", "message_ts", "author_key", "text", "is_system", "is_media")
    for row in rows.select(*columns, "_row_number").iter_rows(named=True):
        if row["is_system"] or row["is_media"] or not row["text"] or row["message_ts"] is None:
            continue
        _message(state, row, author_outlets)
    return _frame([line for order in state.orders for line in order.lines])


def _message(state: _Extraction, row: dict, author_outlets: dict[str, tuple[str | None, float]]) -> None:
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
    lines = [_line(state, row, p, outlet_text, author_outlets) for p in parsed]
    lines = [line for line in lines if line is not None]
    for number, line in enumerate(lines, start=1):
        line["line_number_in_message"] = number
    if lines:
        outlet = lines[0]["outlet_code"]
        state.orders.append(_Order(when, author, outlet, lines))


def _line(
    state: _Extraction,
    row: dict,
    parsed: Parsed,
    outlet_text: str | None,
    author_outlets: dict[str, tuple[str | None, float]],
) -> dict | None:
    catalogue = state.catalogue
    sku, sku_score = catalogue.match_sku(parsed.item_text)
    if parsed.unit_text is None and (sku is None or sku_score < 0.8):
        return None  # a bare number next to words that are no SKU: chatter, not an order
    written = parsed.outlet_text or outlet_text
    if written:
        outlet, outlet_score = catalogue.match_outlet(written)
    else:
        outlet, outlet_score = author_outlets.get(row["author_key"], (None, 0.0))
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
        "needs_review": confidence < state.settings.threshold or sku is None or quantity is None,
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
