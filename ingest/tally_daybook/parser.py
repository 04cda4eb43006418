"""A pure parser of Tally Day Book XML exports: vouchers and their stock (inventory) lines.

No masters and no Polars here: bytes in, dataclasses out. The reader maps items and decides what loads.

- Encoding: UTF-16 LE/BE (with or without BOM, as Tally writes it) or UTF-8; an XML declaration is dropped
  after decoding (the text is re-encoded as UTF-8 for the parser).
- Sanitising: numeric character references XML 1.0 forbids (Tally writes `&#4;` before system values such as
  `&#4; Not Applicable`) and raw control characters are removed; namespace prefixes on tag names (`UDF:...`,
  often unbound) become `UDF_...`. Strict parsers reject the file otherwise.
- Safety: defusedxml with DTDs, entity declarations and external references forbidden (billion laughs and
  XXE are rejected, never expanded); the document is streamed with iterparse and each voucher is cleared once
  read, so time and memory stay linear in the file's size.
- Amount signs are kept exactly as Tally writes them: negative = debit (ISDEEMEDPOSITIVE=Yes), positive =
  credit. In a Sales voucher the stock lines are positive and the party ledger negative; in a Purchase voucher
  the reverse. Every balanced voucher has `ledger_total + stock_total == 0`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ingest.core.errors import FileRejected

MAX_XML_BYTES = 500_000_000
TRADE_TYPES = ("Sales", "Purchase", "Credit Note", "Debit Note")
# Tally's predefined voucher types; every custom type has one of them as its (ultimate) parent
PREDEFINED_TYPES = (
    *TRADE_TYPES,
    "Attendance",
    "Contra",
    "Delivery Note",
    "Job Work In Order",
    "Job Work Out Order",
    "Journal",
    "Material In",
    "Material Out",
    "Memorandum",
    "Payment",
    "Payroll",
    "Physical Stock",
    "Purchase Order",
    "Receipt",
    "Receipt Note",
    "Rejections In",
    "Rejections Out",
    "Reversing Journal",
    "Sales Order",
    "Stock Journal",
)
OTHER_TYPE = "other"
_CANONICAL = {name.lower(): name for name in PREDEFINED_TYPES}

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_CHAR_REFERENCE = re.compile(r"&#(?:x([0-9A-Fa-f]+)|([0-9]+));")
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TAG_PREFIX = re.compile(r"<(/?)(?!xmlns\b)([A-Za-z_][\w.-]*):(?=[A-Za-z_])")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d*)?|[-+]?\.\d+")
_INVENTORY_LISTS = ("ALLINVENTORYENTRIES.LIST", "INVENTORYENTRIES.LIST")
_LEDGER_LISTS = ("ALLLEDGERENTRIES.LIST", "LEDGERENTRIES.LIST")
STOCK_LINE_TAGS = ("STOCKITEMNAME", "ACTUALQTY", "BILLEDQTY", "RATE", "AMOUNT")


@dataclass(frozen=True)
class Quantity:
    """`" 19 Number"` -> Quantity(19.0, "Number"); `"2 Box = 24 Nos"` -> the first part, 2 Box."""

    value: float | None
    unit: str | None


@dataclass(frozen=True)
class LedgerEntry:
    ledger_name: str | None
    amount: float | None  # Tally's sign: negative = debit, positive = credit
    is_deemed_positive: bool


@dataclass(frozen=True)
class StockLine:
    ordinal: int  # 1-based among the voucher's non-empty stock lines
    item_name: str | None
    actual_qty: float | None
    actual_unit: str | None
    billed_qty: float | None
    billed_unit: str | None
    rate: float | None
    rate_unit: str | None  # "80.00/Number" -> 80.0, "Number"
    amount: float | None  # Tally's sign: negative = debit, positive = credit
    is_deemed_positive: bool
    raw: dict[str, str | None] = field(default_factory=dict)  # the texts as written, for quarantine reasons
    row: int | None = None  # the sheet row of an Excel Day Book's item row (None in XML)

    @property
    def has_quantity(self) -> bool:
        return self.actual_qty is not None or self.billed_qty is not None


@dataclass
class Voucher:
    ordinal: int  # 1-based position among the file's VOUCHER elements
    voucher_type: str | None  # VOUCHERTYPENAME as written (may be a custom type such as "GST Sale")
    vch_type_attr: str | None  # the VCHTYPE attribute
    voucher_number: str | None
    date: date | None
    date_raw: str | None
    party_name: str | None
    is_cancelled: bool
    is_optional: bool
    is_deleted: bool
    guid: str | None
    remote_id: str | None
    ledger_entries: list[LedgerEntry]
    stock_lines: list[StockLine]
    base_type: str = OTHER_TYPE  # a predefined Tally type, or "other" when it cannot be resolved
    vch_key: str | None = None  # the VCHKEY attribute (TallyPrime), unique per voucher of a company

    @property
    def identity(self) -> str | None:
        """Tally's own id of the voucher (GUID, else VCHKEY, else REMOTEID); None when the export has none."""
        return self.guid or self.vch_key or self.remote_id

    @property
    def ledger_total(self) -> float:
        return sum(e.amount or 0.0 for e in self.ledger_entries)

    @property
    def stock_total(self) -> float:
        return sum(line.amount or 0.0 for line in self.stock_lines)


@dataclass
class DayBook:
    vouchers: list[Voucher]
    voucher_type_parents: dict[str, str]  # from VOUCHERTYPE masters in the file: name -> parent
    # from VOUCHERTYPE masters: name -> RESERVEDNAME (the predefined type a custom one was made from)
    voucher_type_reserved: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None  # the worksheet of an Excel Day Book (None for XML)

    @property
    def stock_lines(self) -> int:
        return sum(len(v.stock_lines) for v in self.vouchers)


def parse_daybook_file(
    path: Path, *, name: str | None = None, voucher_types: Mapping[str, str] | None = None
) -> DayBook:
    name = name or path.name
    size = path.stat().st_size
    if size > MAX_XML_BYTES:
        raise FileRejected("file_too_large", f"{name} is {size:,} bytes (limit {MAX_XML_BYTES:,} for a Day Book)")
    return parse_daybook(path.read_bytes(), name=name, voucher_types=voucher_types)


def parse_daybook(data: bytes, *, name: str = "file", voucher_types: Mapping[str, str] | None = None) -> DayBook:
    """Vouchers of a Day Book export. Raises FileRejected for undecodable, unsafe, non-XML or voucher-less files."""
    text = sanitise_xml(decode_xml(data, name))
    vouchers, types = _stream(text.encode("utf-8"), name)
    if not vouchers:
        raise FileRejected("no_vouchers", f"{name} is XML but holds no VOUCHER elements (not a Tally Day Book export)")
    return resolved(DayBook(vouchers, types.parents, types.reserved), voucher_types)


def resolved(daybook: DayBook, voucher_types: Mapping[str, str] | None = None) -> DayBook:
    """Every voucher's base_type from the file's VOUCHERTYPE masters and the layout's mapping."""
    for voucher in daybook.vouchers:
        voucher.base_type = resolve_base_type(
            voucher.voucher_type,
            voucher.vch_type_attr,
            daybook.voucher_type_parents,
            voucher_types,
            daybook.voucher_type_reserved,
        )
    return daybook


def decode_xml(data: bytes, name: str) -> str:
    """UTF-16 (BOM, or the `<` byte pattern), UTF-8 (with or without BOM), else the declared encoding."""
    if not data.strip():
        raise FileRejected("empty_file", f"{name} is empty")
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if data.startswith(bom):
            return _decode(data[len(bom) :], codec, name)
    if data[:2] == b"<\x00":
        return _decode(data, "utf-16-le", name)
    if data[:2] == b"\x00<":
        return _decode(data, "utf-16-be", name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        declared = _DECLARED_ENCODING.match(data)
        if declared is None:
            raise FileRejected("undecodable", f"{name} is neither UTF-16 nor UTF-8 and declares no encoding") from None
        return _decode(data, declared.group(1).decode("ascii"), name)


def _decode(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FileRejected("undecodable", f"{name} cannot be decoded as {codec}: {exc}") from None


def sanitise_xml(text: str) -> str:
    """Text a strict XML 1.0 parser accepts: no declaration, no forbidden characters or references, no prefixes."""
    text = _XML_DECLARATION.sub("", text, count=1)
    if "&#" in text:
        text = _CHAR_REFERENCE.sub(_keep_allowed_reference, text)
    text = _RAW_CONTROL.sub("", text)
    return _TAG_PREFIX.sub(r"<\1\2_", text)


def _keep_allowed_reference(match: re.Match[str]) -> str:
    hex_digits, decimal = match.groups()
    try:
        code = int(hex_digits, 16) if hex_digits else int(decimal)
    except ValueError:
        return ""
    return match.group(0) if _allowed_in_xml(code) else ""


def _allowed_in_xml(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


@dataclass
class _VoucherTypes:
    parents: dict[str, str] = field(default_factory=dict)
    reserved: dict[str, str] = field(default_factory=dict)


def _stream(data: bytes, name: str) -> tuple[list[Voucher], _VoucherTypes]:
    vouchers: list[Voucher] = []
    types = _VoucherTypes()
    depth = 0  # inside a VOUCHER (VOUCHERTYPE masters are read outside vouchers only)
    try:
        for event, element in _events(data):
            tag = _local(element.tag)
            if tag == "VOUCHER":
                depth += 1 if event == "start" else -1
                if event == "end":
                    vouchers.append(_voucher(element, len(vouchers) + 1))
                    element.clear()
            elif tag == "VOUCHERTYPE" and event == "end" and depth == 0:
                _record_voucher_type(element, types)
                element.clear()
            elif tag == "TALLYMESSAGE" and event == "end":
                element.clear()
    except DefusedXmlException as exc:
        raise FileRejected(
            "unsafe_xml", f"{name} declares a DTD or entities ({type(exc).__name__}); refused, not expanded"
        ) from None
    except ParseError as exc:
        raise FileRejected("not_xml", f"{name} is not well-formed XML ({exc})") from None
    return vouchers, types


def _events(data: bytes) -> Iterator[tuple[str, Element]]:
    return iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True)


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _record_voucher_type(element: Element, types: _VoucherTypes) -> None:
    """`<VOUCHERTYPE NAME="GST Sale Invoice" RESERVEDNAME="Sales"><PARENT>...</PARENT>`: the parent and the
    reserved (predefined) name, either of which may be missing or empty."""
    name = (element.get("NAME") or _text(element, "NAME") or "").strip()
    if not name:
        return
    parent = _text(element, "PARENT")
    reserved = (element.get("RESERVEDNAME") or _text(element, "RESERVEDNAME") or "").strip()
    if parent:
        types.parents[name] = parent
    if reserved:
        types.reserved[name] = reserved


def _text(element: Element, tag: str) -> str | None:
    value = element.findtext(tag)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _flag(element: Element, tag: str) -> bool:
    return (_text(element, tag) or "").lower() == "yes"


def _voucher(element: Element, ordinal: int) -> Voucher:
    date_raw = _text(element, "DATE")
    return Voucher(
        ordinal=ordinal,
        voucher_type=_text(element, "VOUCHERTYPENAME") or element.get("VCHTYPE"),
        vch_type_attr=element.get("VCHTYPE"),
        voucher_number=_text(element, "VOUCHERNUMBER"),
        date=parse_tally_date(date_raw),
        date_raw=date_raw,
        party_name=_text(element, "PARTYLEDGERNAME") or _text(element, "PARTYNAME") or _text(element, "BASICBUYERNAME"),
        is_cancelled=_flag(element, "ISCANCELLED"),
        is_optional=_flag(element, "ISOPTIONAL"),
        is_deleted=_flag(element, "ISDELETED"),
        guid=_text(element, "GUID"),
        remote_id=element.get("REMOTEID"),
        vch_key=element.get("VCHKEY") or _text(element, "VCHKEY"),
        ledger_entries=[_ledger(e) for e in _entries(element, _LEDGER_LISTS)],
        stock_lines=[_stock_line(e, i) for i, e in enumerate(_entries(element, _INVENTORY_LISTS), start=1)],
    )


def _entries(voucher: Element, list_tags: tuple[str, ...]) -> list[Element]:
    """The voucher's direct entries of the first list kind present (ALL*.LIST repeats the plain one when both
    are exported); entries without any child element (`<X.LIST>   </X.LIST>`) are not entries."""
    for tag in list_tags:
        found = [child for child in voucher if _local(child.tag) == tag and len(child)]
        if found:
            return found
    return []


def _ledger(entry: Element) -> LedgerEntry:
    return LedgerEntry(
        ledger_name=_text(entry, "LEDGERNAME"),
        amount=parse_amount(_text(entry, "AMOUNT")),
        is_deemed_positive=_flag(entry, "ISDEEMEDPOSITIVE"),
    )


def _stock_line(entry: Element, ordinal: int) -> StockLine:
    raw = {tag: _text(entry, tag) for tag in STOCK_LINE_TAGS}
    return stock_line_from_texts(raw, ordinal, is_deemed_positive=_flag(entry, "ISDEEMEDPOSITIVE"))


def stock_line_from_texts(
    raw: dict[str, str | None], ordinal: int, *, is_deemed_positive: bool = False, row: int | None = None
) -> StockLine:
    """A stock line from its texts as Tally writes them (`STOCK_LINE_TAGS`): the XML's elements, or the cells of
    an Excel Day Book's item row."""
    actual = parse_quantity(raw["ACTUALQTY"])
    billed = parse_quantity(raw["BILLEDQTY"])
    rate, rate_unit = parse_rate(raw["RATE"])
    return StockLine(
        ordinal=ordinal,
        item_name=raw["STOCKITEMNAME"],
        actual_qty=actual.value,
        actual_unit=actual.unit,
        billed_qty=billed.value,
        billed_unit=billed.unit,
        rate=rate,
        rate_unit=rate_unit,
        amount=parse_amount(raw["AMOUNT"]),
        is_deemed_positive=is_deemed_positive,
        raw=raw,
        row=row,
    )


def parse_tally_date(text: str | None) -> date | None:
    """Tally writes YYYYMMDD; also accepts 1-Apr-2023 and 01-04-2023 (day first)."""
    if not text:
        return None
    for pattern in ("%Y%m%d", "%d-%b-%Y", "%d-%b-%y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _number(text: str) -> float | None:
    found = _NUMBER.search(text)
    if found is None:
        return None
    try:
        return float(found.group(0).replace(",", ""))
    except ValueError:
        return None


def parse_quantity(text: str | None) -> Quantity:
    """`" 19 Number"`, `"5 Pcs"`, `"-2 Box"`, `"2 Box = 24 Nos"` (the first part); None when empty."""
    if not text or not text.strip():
        return Quantity(None, None)
    first = text.split("=", 1)[0].strip()
    found = _NUMBER.search(first)
    if found is None:
        return Quantity(None, first or None)
    unit = first[found.end() :].strip() or None
    return Quantity(_number(first), unit)


def parse_rate(text: str | None) -> tuple[float | None, str | None]:
    """`"80.00/Number"` -> (80.0, "Number"); a foreign-currency rate `"$ 1.00 = ₹ 80.00/Nos"` -> the part after `=`."""
    if not text or not text.strip():
        return None, None
    value, _, unit = text.partition("/")
    value = value.rsplit("=", 1)[-1]
    return _number(value), unit.strip() or None


def parse_amount(text: str | None) -> float | None:
    """`"-3294.50"`; a foreign-currency amount `"-$ 10.00 @ ₹ 80/$ = -₹ 800.00"` -> the base amount after `=`.

    A sign written before a currency symbol (`-₹ 800.00`) still counts."""
    if not text or not text.strip():
        return None
    part = text.rsplit("=", 1)[-1].strip()
    value = _number(part)
    if value is None:
        return None
    return -abs(value) if part.startswith("-") else value


def resolve_base_type(
    voucher_type: str | None,
    vch_type_attr: str | None,
    parents: Mapping[str, str],
    mapping: Mapping[str, str] | None = None,
    reserved: Mapping[str, str] | None = None,
) -> str:
    """The predefined Tally type behind a voucher type, or "other".

    Follows the type's chain (the type, its PARENT, the parent's PARENT, ...) and at each step takes, first found:
    the distributor's layout mapping (`voucher_types: {"GST Sale": "Sales"}`), the VOUCHERTYPE master's
    RESERVEDNAME, a PARENT that is a predefined type. Then the VCHTYPE attribute, then the name itself."""
    lowered = {k.strip().lower(): v for k, v in (mapping or {}).items()}
    reserved = reserved or {}
    seen: set[str] = set()
    current = voucher_type.strip() if voucher_type else None
    while current and current not in seen:
        seen.add(current)
        for candidate in (lowered.get(current.lower()), reserved.get(current)):
            if candidate and str(candidate).strip().lower() in _CANONICAL:
                return _CANONICAL[str(candidate).strip().lower()]
        parent = parents.get(current)
        if parent is None or parent.strip() == current:
            break
        if parent.strip().lower() in _CANONICAL:
            return _CANONICAL[parent.strip().lower()]
        current = parent.strip()
    for candidate in (vch_type_attr, voucher_type):
        if candidate and candidate.strip().lower() in _CANONICAL:
            return _CANONICAL[candidate.strip().lower()]
    return OTHER_TYPE
