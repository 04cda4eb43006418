"""Tally Day Books as a distributor's Tally writes them, so the pipeline meets the real world's shapes.

The distributor that exports its register from Tally (layout `tally_csv`) moves, for the last part of the period,
to sending Tally's own Day Book instead of its CSV register: on most days the XML export, on some days (those
without free goods, which one quantity column cannot carry) Tally's Excel Day Book. A Day Book holds every voucher
of its days, as a real one does:
- sales, under two custom voucher types: `GST Sale Invoice` (its VOUCHERTYPE master says RESERVEDNAME="Sales" and
  names itself as PARENT, as TallyPrime writes it) and `Van Sale` (PARENT `GST Sale Invoice`: a chain), in the
  distributor's one sales series (the simulation's invoice numbers);
- purchases (`Purchase`, the brand's deliveries received that day, the brand's bill number as REFERENCE) and debit
  notes (goods sent back to the brand): Tally numbers each type separately, and this distributor's purchase series
  was started at the number its sales series had reached, so a purchase and a sale share a number;
- receipts from retailers (no stock lines: skipped rows);
- in the Excel Day Book the sales show as `Sales`: the workbook carries no VOUCHERTYPE masters, so a custom type
  there could only be resolved by the distributor's layout (`voucher_types:`), which a generated network has not;
- and, in the first XML Day Book, a purchase of the brand's goods from a wholesaler whose one line is over a crore
  (consistent: quantity x rate = amount), which must load, not be quarantined.
Units as a Tally user sets them: `Box` where a line is whole cases (rate per Box), `KG` / `Ltr` with decimals on
some lines (through the pack size), `Pair` for the SKU the SKU units master declares (`sku_units.csv`: one Pair is
2 pieces), else `Pcs` / `Nos`. Free goods: ACTUALQTY above BILLEDQTY. XML: UTF-16 LE with BOM, CRLF, `&#4;`
references, `UDF:` elements, GUID / VCHKEY / REMOTEID. Every stock line of a sale converts back to exactly the
simulated pieces, so the truth stays exact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook

from generator.faults import FaultPlan, Key, Slot
from generator.files import MONTH_ABBR, workbook_bytes
from generator.masters import Distributor, Network, Sku
from generator.simulate import Invoice, PrimaryLine

SALES_TYPES = ("GST Sale Invoice", "Van Sale")
# NAME, PARENT, RESERVEDNAME as the file's VOUCHERTYPE masters carry them
VOUCHER_TYPE_MASTERS = (
    ("GST Sale Invoice", "GST Sale Invoice", "Sales"),
    ("Van Sale", "GST Sale Invoice", ""),
)
BRAND_PARTY = "Sellthrough Brands Pvt Ltd"
WHOLESALER = "Metro Wholesale Traders"
CRORE_PAISE = 10_000_000 * 100
TALLY_SHARE = 0.35  # the last third of the period or so comes as Tally Day Books
PAIR_PIECES = 2
GUID_ROOT = "5f2c1e8a-7d4b-4c2e-9a61-3b8e0d4f7a12"
GST_TENTHS = 90  # 9% CGST and 9% SGST
_PACK = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|g|l|ml)\b", re.IGNORECASE)


@dataclass(frozen=True)
class TallyLine:
    item: str
    billed: str  # quantity text as Tally writes it: " 1.200 KG"
    actual: str
    rate: str  # "113.33/KG"
    amount_paise: int  # positive; the voucher's kind gives the sign
    billed_quantity: float  # for the Excel Day Book's quantity cell
    unit: str


@dataclass
class TallyVoucher:
    vtype: str
    number: str
    day: date
    party: str
    kind: str  # sale | purchase | purchase_return | receipt
    lines: list[TallyLine] = field(default_factory=list)
    reference: str | None = None
    receipt_paise: int = 0  # a receipt's amount (no stock lines)

    @property
    def stock_paise(self) -> int:
        return sum(line.amount_paise for line in self.lines)

    @property
    def tax_paise(self) -> int:
        return (self.stock_paise * GST_TENTHS + 500) // 1000  # one of CGST / SGST


@dataclass
class TallyOutput:
    """What the Tally Day Books hold, for the truth (`truth/tally_files.json`)."""

    files: list[dict] = field(default_factory=list)


def tally_days(slots: list[Slot], plan: FaultPlan, network: Network) -> dict[Key, str]:
    """The Tally distributor's slots sent as Day Books ("xml" or "xlsx"): the last part of the period, no slot
    that carries a planted file fault."""
    config = network.config
    switch = config.start + (config.end - config.start) * (1 - TALLY_SHARE)
    faulted = {plan.resent, *plan.late, *plan.duplicates, *plan.malformed, *plan.unknown}
    chosen = [
        s
        for s in slots
        if s.layout == "tally_csv" and s.start >= switch and (s.distributor_code, s.start) not in faulted
    ]
    return {(s.distributor_code, s.start): ("xlsx" if i % 3 == 2 else "xml") for i, s in enumerate(chosen)}


def pair_skus(network: Network) -> list[Sku]:
    """The SKUs the SKU units master declares a Pair for (the first SKU of each brand)."""
    seen: dict[str, Sku] = {}
    for sku in network.skus:
        seen.setdefault(sku.brand, sku)
    return list(seen.values())


def sku_units_csv(network: Network) -> bytes:
    rows = ["sku_code,unit,pieces_per_unit", *(f"{s.code},Pair,{PAIR_PIECES}" for s in pair_skus(network))]
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def _pack(sku: Sku) -> tuple[str, float] | None:
    """("KG", kg in one piece) or ("Ltr", litres in one piece) from the pack size."""
    found = _PACK.search(sku.pack)
    if found is None:
        return None
    amount, unit = float(found.group(1)), found.group(2).lower()
    per_piece = amount / 1000 if unit in ("g", "ml") else amount
    return ("KG" if unit in ("g", "kg") else "Ltr"), per_piece


def _quantity_text(value: float, unit: str) -> str:
    decimals = 3 if unit in ("KG", "Ltr") else 0
    return f" {value:.{decimals}f} {unit}"


def tally_line(
    sku: Sku, item: str, quantities: tuple[int, int], paise: tuple[int, int], n: int, pairs: frozenset[str]
) -> TallyLine:
    """A stock line in the unit this distributor bills the SKU in: (billed, free) pieces and (rate, net) paise;
    it converts back to exactly the billed and free pieces. `n` varies the unit from line to line."""
    quantity, free = quantities
    rate_paise, net_paise = paise
    pieces_per_unit: float = 1.0
    unit = "Nos" if n % 2 else "Pcs"
    pack = _pack(sku)
    if quantity >= sku.units_per_case and quantity % sku.units_per_case == 0 and free % sku.units_per_case == 0:
        unit, pieces_per_unit = "Box", float(sku.units_per_case)
    elif n % 3 == 1 and pack is not None:
        unit, pieces_per_unit = pack[0], 1 / pack[1]
    elif sku.code in pairs and quantity % PAIR_PIECES == 0 and free % PAIR_PIECES == 0:
        unit, pieces_per_unit = "Pair", float(PAIR_PIECES)
    billed = quantity / pieces_per_unit
    actual = (quantity + free) / pieces_per_unit
    rate = rate_paise * pieces_per_unit / 100
    return TallyLine(
        item=item,
        billed=_quantity_text(billed, unit),
        actual=_quantity_text(actual, unit),
        rate=f"{rate:.2f}/{unit}",
        amount_paise=net_paise,
        billed_quantity=billed,
        unit=unit,
    )


def _sale(network: Network, invoice: Invoice, n: int, pairs: frozenset[str]) -> TallyVoucher:
    outlet = network.outlet_by_code[invoice.outlet_code]
    beat = sorted(b.code for b in network.beats if b.distributor_code == invoice.distributor_code)
    vtype = SALES_TYPES[beat.index(outlet.beat_code) % 2] if outlet.beat_code in beat else SALES_TYPES[0]
    labels = network.labels[invoice.distributor_code]
    voucher = TallyVoucher(vtype, invoice.number, invoice.day, outlet.name, "sale")
    for i, line in enumerate(invoice.lines):
        sku = network.sku_by_code[line.sku_code]
        voucher.lines.append(
            tally_line(
                sku,
                labels[sku.code].single,
                (line.quantity, line.free),
                (line.rate_paise, line.net_paise),
                n + i,
                pairs,
            )
        )
    return voucher


def _purchases(
    network: Network, code: str, lines: list[PrimaryLine], numbers: dict[str, int], pairs: frozenset[str]
) -> list[TallyVoucher]:
    labels = network.labels[code]
    by_doc: dict[tuple[str, str], list[PrimaryLine]] = {}
    for line in lines:
        by_doc.setdefault((line.doc_type, line.doc_number), []).append(line)
    vouchers = []
    for (doc_type, doc_number), doc_lines in sorted(by_doc.items()):
        kind, vtype = ("purchase", "Purchase") if doc_type == "invoice" else ("purchase_return", "Debit Note")
        numbers[vtype] += 1
        day = doc_lines[0].delivery_date if doc_type == "invoice" else doc_lines[0].doc_date
        voucher = TallyVoucher(vtype, str(numbers[vtype]), day, BRAND_PARTY, kind, reference=doc_number)  # type: ignore[arg-type]
        for i, line in enumerate(doc_lines):
            sku = network.sku_by_code[line.sku_code]
            voucher.lines.append(
                tally_line(
                    sku, labels[sku.code].single, (line.quantity, 0), (line.rate_paise, line.net_paise), i, pairs
                )
            )
        vouchers.append(voucher)
    return vouchers


def _crore_purchase(network: Network, code: str, day: date, numbers: dict[str, int]) -> TallyVoucher:
    """A wholesaler's bulk lot of the brand's dearest SKU, one line above a crore, quantity x rate = amount."""
    sku = max(network.skus, key=lambda s: (s.primary_paise * s.units_per_case, s.code))
    box_paise = sku.primary_paise * sku.units_per_case
    boxes = math.ceil(CRORE_PAISE * 1.02 / box_paise)
    numbers["Purchase"] += 1
    line = TallyLine(
        item=network.labels[code][sku.code].single,
        billed=_quantity_text(boxes, "Box"),
        actual=_quantity_text(boxes, "Box"),
        rate=f"{box_paise / 100:.2f}/Box",
        amount_paise=boxes * box_paise,
        billed_quantity=float(boxes),
        unit="Box",
    )
    return TallyVoucher("Purchase", str(numbers["Purchase"]), day, WHOLESALER, "purchase", [line], "MW/0917")


def _receipts(vouchers: list[TallyVoucher], numbers: dict[str, int]) -> list[TallyVoucher]:
    """One receipt per day with sales: the first party of the day pays cash (no stock lines)."""
    out = []
    for day in sorted({v.day for v in vouchers if v.kind == "sale"}):
        first = next(v for v in vouchers if v.kind == "sale" and v.day == day)
        numbers["Receipt"] += 1
        out.append(TallyVoucher("Receipt", str(numbers["Receipt"]), day, first.party, "receipt", receipt_paise=50_000))
    return out


class TallyWriter:
    """The Day Books of one distributor, in delivery order (voucher series and GUIDs run on across files)."""

    def __init__(self, network: Network, distributor: Distributor) -> None:
        self.network = network
        self.distributor = distributor
        self.numbers: dict[str, int] = {"Purchase": 0, "Debit Note": 0, "Receipt": 0}
        self.started = False
        self.crore_written = False
        self.guid = 0
        self.pairs = frozenset(s.code for s in pair_skus(network))

    def vouchers(self, invoices: list[Invoice], primary: list[PrimaryLine], fmt: str) -> list[TallyVoucher]:
        sales = [_sale(self.network, inv, i * 7, self.pairs) for i, inv in enumerate(invoices)]
        if not self.started and sales and primary:
            # the purchase series was started at the number the sales series had reached
            self.numbers["Purchase"] = min(int(v.number) for v in sales) - 1
            self.numbers["Debit Note"] = self.numbers["Purchase"]
            self.started = True
        vouchers = sales + _purchases(self.network, self.distributor.code, primary, self.numbers, self.pairs)
        if fmt == "xml" and not self.crore_written and sales:
            vouchers.append(_crore_purchase(self.network, self.distributor.code, sales[0].day, self.numbers))
            self.crore_written = True
        vouchers += _receipts(vouchers, self.numbers)
        return sorted(vouchers, key=lambda v: (v.day, _KIND_ORDER[v.kind], v.number))

    def xml(self, vouchers: list[TallyVoucher]) -> bytes:
        return daybook_xml(vouchers, self.distributor.name, self._next_guid)

    def xlsx(self, vouchers: list[TallyVoucher], start: date, end: date) -> bytes:
        return daybook_xlsx(vouchers, self.distributor.name, self.distributor.town.town, start, end)

    def _next_guid(self) -> int:
        self.guid += 1
        return self.guid


_KIND_ORDER = {"sale": 0, "purchase": 1, "purchase_return": 2, "receipt": 3}


def summary(vouchers: list[TallyVoucher]) -> dict:
    """Vouchers per type and stock lines per kind, as the truth records them."""
    types: dict[str, int] = {}
    lines: dict[str, int] = {}
    for v in vouchers:
        types[v.vtype] = types.get(v.vtype, 0) + 1
        if v.lines:
            lines[v.kind] = lines.get(v.kind, 0) + len(v.lines)
    return {
        "vouchers": types,
        "stock_lines": lines,
        "vouchers_without_stock": sum(1 for v in vouchers if not v.lines),
        "over_a_crore": [
            {"voucher_type": v.vtype, "voucher_number": v.number, "item": line.item, "amount": line.amount_paise / 100}
            for v in vouchers
            for line in v.lines
            if line.amount_paise > CRORE_PAISE
        ],
        "shared_numbers": sorted(
            {
                v.number
                for v in vouchers
                if v.lines and len({w.vtype for w in vouchers if w.lines and w.number == v.number}) > 1
            }
        ),
    }


# --------------------------------------------------------------------------------------------------- XML


def _rupees(paise: int) -> str:
    sign = "-" if paise < 0 else ""
    return f"{sign}{abs(paise) // 100}.{abs(paise) % 100:02d}"


def _tally_date(day: date) -> str:
    return f"{day:%Y%m%d}"


def daybook_xml(vouchers: list[TallyVoucher], company: str, next_guid: Callable[[], int]) -> bytes:
    """UTF-16 LE with a BOM and CRLF line ends, as Tally writes its Day Book export."""
    out = [
        "<ENVELOPE>",
        " <HEADER>",
        "  <TALLYREQUEST>Import Data</TALLYREQUEST>",
        " </HEADER>",
        " <BODY>",
        "  <IMPORTDATA>",
        "   <REQUESTDESC>",
        "    <REPORTNAME>Vouchers</REPORTNAME>",
        "    <STATICVARIABLES>",
        f"     <SVCURRENTCOMPANY>{escape(company)}</SVCURRENTCOMPANY>",
        "    </STATICVARIABLES>",
        "   </REQUESTDESC>",
        "   <REQUESTDATA>",
    ]
    for name, parent, reserved in VOUCHER_TYPE_MASTERS:
        out += [
            '    <TALLYMESSAGE xmlns:UDF="TallyUDF">',
            f"     <VOUCHERTYPE NAME={quoteattr(name)} RESERVEDNAME={quoteattr(reserved)}>",
            f"      <PARENT>{escape(parent)}</PARENT>",
            "      <NUMBERINGMETHOD>Manual</NUMBERINGMETHOD>",
            "      <ISDEEMEDPOSITIVE>No</ISDEEMEDPOSITIVE>",
            "     </VOUCHERTYPE>",
            "    </TALLYMESSAGE>",
        ]
    for voucher in vouchers:
        out += _voucher_xml(voucher, next_guid())
    out += ["   </REQUESTDATA>", "  </IMPORTDATA>", " </BODY>", "</ENVELOPE>", ""]
    return "\ufeff".encode("utf-16-le") + "\r\n".join(out).encode("utf-16-le")


def _voucher_xml(v: TallyVoucher, serial: int) -> list[str]:
    guid = f"{GUID_ROOT}-{serial:08x}"
    credit_stock = v.kind in ("sale", "purchase_return")  # stock credited: positive amounts, party debited
    sign = 1 if credit_stock else -1
    party_paise = -sign * (v.stock_paise + 2 * v.tax_paise) if v.lines else v.receipt_paise  # a receipt: credit
    out = [
        '    <TALLYMESSAGE xmlns:UDF="TallyUDF">',
        f'     <VOUCHER REMOTEID="{guid}" VCHKEY="{GUID_ROOT}-0000b1c2:{serial * 8:08x}" '
        f'VCHTYPE={quoteattr(v.vtype)} ACTION="Create" OBJVIEW="Invoice Voucher View">',
        f"      <DATE>{_tally_date(v.day)}</DATE>",
        f"      <GUID>{guid}</GUID>",
        "      <GSTNATUREOFRETURN>&#4; Not Applicable</GSTNATUREOFRETURN>",
        "      <VCHGSTCLASS>&#4; Not Applicable</VCHGSTCLASS>",
        f"      <PARTYNAME>{escape(v.party)}</PARTYNAME>",
        f"      <VOUCHERTYPENAME>{escape(v.vtype)}</VOUCHERTYPENAME>",
        f"      <PARTYLEDGERNAME>{escape(v.party)}</PARTYLEDGERNAME>",
        f"      <VOUCHERNUMBER>{escape(v.number)}</VOUCHERNUMBER>",
    ]
    if v.reference:
        out.append(f"      <REFERENCE>{escape(v.reference)}</REFERENCE>")
    out += [
        "      <ISCANCELLED>No</ISCANCELLED>",
        "      <ISOPTIONAL>No</ISOPTIONAL>",
        "      <ISDELETED>No</ISDELETED>",
        "      <ALLINVENTORYENTRIES.LIST>      </ALLINVENTORYENTRIES.LIST>" if not v.lines else "",
    ]
    ledger = "Sales Account" if v.kind == "sale" else "Purchase Account"
    for line in v.lines:
        amount = _rupees(sign * line.amount_paise)
        out += [
            "      <ALLINVENTORYENTRIES.LIST>",
            f"       <STOCKITEMNAME>{escape(line.item)}</STOCKITEMNAME>",
            f"       <ISDEEMEDPOSITIVE>{'No' if credit_stock else 'Yes'}</ISDEEMEDPOSITIVE>",
            f"       <RATE>{line.rate}</RATE>",
            f"       <AMOUNT>{amount}</AMOUNT>",
            f"       <ACTUALQTY>{line.actual}</ACTUALQTY>",
            f"       <BILLEDQTY>{line.billed}</BILLEDQTY>",
            "       <BATCHALLOCATIONS.LIST>",
            "        <GODOWNNAME>Main Location</GODOWNNAME>",
            "        <BATCHNAME>Primary Batch</BATCHNAME>",
            f"        <AMOUNT>{amount}</AMOUNT>",
            f"        <ACTUALQTY>{line.actual}</ACTUALQTY>",
            f"        <BILLEDQTY>{line.billed}</BILLEDQTY>",
            "       </BATCHALLOCATIONS.LIST>",
            "       <ACCOUNTINGALLOCATIONS.LIST>",
            f"        <LEDGERNAME>{ledger}</LEDGERNAME>",
            f"        <AMOUNT>{amount}</AMOUNT>",
            "       </ACCOUNTINGALLOCATIONS.LIST>",
            "      </ALLINVENTORYENTRIES.LIST>",
        ]
    out += _ledger_xml(v.party, party_paise)
    if v.lines:
        out += _ledger_xml("Output CGST" if credit_stock else "Input CGST", sign * v.tax_paise)
        out += _ledger_xml("Output SGST" if credit_stock else "Input SGST", sign * v.tax_paise)
    else:
        out += _ledger_xml("Cash", -v.receipt_paise)
    out += [
        '      <UDF:VCHNARRATION.LIST DESC="`Narration`" ISLIST="YES" TYPE="String">',
        '       <UDF:VCHNARRATION DESC="`Narration`">as per bill</UDF:VCHNARRATION>',
        "      </UDF:VCHNARRATION.LIST>",
        "     </VOUCHER>",
        "    </TALLYMESSAGE>",
    ]
    return [line for line in out if line]


def _ledger_xml(name: str, paise: int) -> list[str]:
    return [
        "      <LEDGERENTRIES.LIST>",
        f"       <LEDGERNAME>{escape(name)}</LEDGERNAME>",
        f"       <ISDEEMEDPOSITIVE>{'Yes' if paise < 0 else 'No'}</ISDEEMEDPOSITIVE>",
        f"       <AMOUNT>{_rupees(paise)}</AMOUNT>",
        "      </LEDGERENTRIES.LIST>",
    ]


# --------------------------------------------------------------------------------------------------- Excel


def _short(day: date) -> str:
    return f"{day.day}-{MONTH_ABBR[day.month]}-{day.year % 100:02d}"


def daybook_xlsx(vouchers: list[TallyVoucher], company: str, town: str, start: date, end: date) -> bytes:
    """Tally's Excel Day Book: 4 merged title rows, the header, a row per voucher, continuation rows under it
    (ledgers, stock items with quantity, rate and amount, bill allocations) with a blank date and number; a
    voucher on the same day as the one above has a blank date too."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Day Book"  # type: ignore[union-attr]
    period = f"For {_short(start)}" if start == end else f"{_short(start)} to {_short(end)}"
    for row, text in enumerate((company, town, "Day Book", period), start=1):
        sheet.cell(row, 1, text)  # type: ignore[union-attr]
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)  # type: ignore[union-attr]
    header = ["Date", "Particulars", "", "", "", "", "Vch Type", "Vch No.", "Debit Amount", "Credit Amount"]
    sheet.append(header)  # type: ignore[union-attr]
    last_day: date | None = None
    for v in vouchers:
        debit_party = v.kind in ("sale", "purchase_return")
        total = (v.stock_paise + 2 * v.tax_paise) if v.lines else v.receipt_paise
        amounts = [total / 100, None] if debit_party else [None, total / 100]
        day = datetime.combine(v.day, time()) if v.day != last_day else None
        last_day = v.day
        vtype = "Sales" if v.vtype in SALES_TYPES else v.vtype
        sheet.append([day, v.party, "", "", "", "", vtype, v.number, *amounts])  # type: ignore[union-attr]
        if not v.lines:
            sheet.append(["", "Cash", "", "", "", "", "", "", total / 100, None])  # type: ignore[union-attr]
            continue
        ledger = "Sales Account" if v.kind == "sale" else "Purchase Account"
        side = [None, v.stock_paise / 100] if debit_party else [v.stock_paise / 100, None]
        sheet.append(["", ledger, "", "", "", "", "", "", *side])  # type: ignore[union-attr]
        for line in v.lines:
            quantity: object = int(line.billed_quantity) if line.unit in ("Pcs", "Nos") else line.billed.strip()
            rate = line.rate.split("/")[0]
            sheet.append([None, line.item, quantity, float(rate), line.amount_paise / 100])  # type: ignore[union-attr]
        for tax in ("CGST", "SGST"):
            tax_side = [None, v.tax_paise / 100] if debit_party else [v.tax_paise / 100, None]
            sheet.append(["", f"{'Output' if debit_party else 'Input'} {tax}", "", "", "", "", "", "", *tax_side])  # type: ignore[union-attr]
        if v.kind == "sale":
            sheet.append([None, "New Ref", v.number, "30 Days", total / 100, "Dr"])  # type: ignore[union-attr]
    return workbook_bytes(book)
