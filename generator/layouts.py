"""The six distributor sales-register layouts, and the other shapes some distributors' files take on some weeks.
Each writer turns rows into file bytes and tells which sheet row (1-based, as a spreadsheet program shows it) each
input row landed on.

| layout | software it imitates | quirks |
|---|---|---|
| marg_xlsx | Marg ERP register | merged title rows (period), real date cells, Bill Total after each bill, Grand Total |
| busy_csv | Busy export | UTF-8 BOM, cases + pieces, `₹1,23,456.00`, Status Active/Cancelled |
| legacy_xls | home-grown Excel 97 | Excel serial dates as plain numbers, net value only, no party code |
| tally_csv | Tally day book | cp1252, `;`, title lines, Hinglish headers, `3-Nov-26`, `Rs. 1,234.50`, Total row |
| multisheet_xlsx | a DMS workbook | a Summary sheet first, details on the second sheet, `05.11.2026`, `Sch Disc` |
|  |  | (discount fractions such as 0.05: the distributor's layout ignores the column) |
| hinglish_tsv | a small biller's text export | UTF-16 BOM, tabs, Hinglish headers, `5/11/26`, ` 1,250.00 ` |

Shapes a distributor's files take on some weeks (`file_shape`): the DMS distributor's quick CSV export with no
header row (`headerless_csv`, read by the positions of its layout, `data/config/layouts/`); the small biller's
Hinglish export with `Nag` and a `Kul Yog` total row (`hinglish_kul_yog_tsv`) and its Devanagari export with a
period title row and a `कुल योग` total row (`devanagari_tsv`). Every shape carries identical lines within a bill
sometimes (a line billed twice, `repeat_identical_lines`): both are sales.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import xlwt
from openpyxl import Workbook

from generator.files import delimited, excel_serial, indian, plain, tally_date, workbook_bytes


@dataclass
class Row:
    """One line of a sales register, as the distributor's software knows it."""

    invoice_number: str
    day: date
    line_type: str  # sale | return
    cancelled: bool
    party_code: str
    party_name: str
    item_code: str | None
    item_name: str | None
    item: str | None  # the single item column of layouts that have one
    quantity: int
    free: int
    units_per_case: int
    rate_paise: int
    gross_paise: int
    discount_paise: int
    salesman: str
    beat: str
    bad: dict[str, str] = field(default_factory=dict)  # "quantity" | "date" -> text written instead

    @property
    def net_paise(self) -> int:
        return self.gross_paise - self.discount_paise

    @property
    def cases(self) -> int:
        return self.quantity // self.units_per_case

    @property
    def pieces(self) -> int:
        return self.quantity % self.units_per_case


@dataclass(frozen=True)
class FileMeta:
    distributor_name: str
    start: date
    end: date


Writer = Callable[[list[Row], FileMeta], tuple[bytes, list[int]]]


def _bills(rows: list[Row]) -> list[list[Row]]:
    groups: list[list[Row]] = []
    for row in rows:
        if groups and groups[-1][0].invoice_number == row.invoice_number:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _quantity_sum(rows: list[Row]) -> int:
    return sum(r.quantity for r in rows if "quantity" not in r.bad)


def write_marg(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    headers = (
        "Bill No",
        "Bill Date",
        "Vch Type",
        "Party Code",
        "Party Name",
        "Item Code",
        "Item Name",
        "Qty",
        "Free",
        "Rate",
        "Amount",
        "Disc",
        "Net Amt",
        "Salesman",
        "Beat",
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sales Register"
    sheet.cell(1, 1, f"M/s {meta.distributor_name}")
    sheet.cell(2, 1, f"Sales Register from {meta.start:%d-%m-%Y} to {meta.end:%d-%m-%Y}")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    for column, header in enumerate(headers, start=1):
        sheet.cell(4, column, header)
    at = 5
    numbers: list[int] = []

    def put(values: list[object]) -> None:
        nonlocal at
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(at, column, value)
            if isinstance(value, date):
                cell.number_format = "DD-MM-YYYY"
        at += 1

    def totals(label: str, group: list[Row]) -> list[object]:
        return [
            None,
            None,
            None,
            None,
            label,
            None,
            None,
            _quantity_sum(group),
            sum(r.free for r in group),
            None,
            sum(r.gross_paise for r in group) / 100,
            sum(r.discount_paise for r in group) / 100,
            sum(r.net_paise for r in group) / 100,
            None,
            None,
        ]

    for bill in _bills(rows):
        for row in bill:
            numbers.append(at)
            put(
                [
                    row.invoice_number,
                    row.bad.get("date", row.day),
                    "Sales Return" if row.line_type == "return" else "Sales",
                    row.party_code,
                    row.party_name,
                    row.item_code,
                    row.item_name,
                    row.bad.get("quantity", row.quantity),
                    row.free,
                    row.rate_paise / 100,
                    row.gross_paise / 100,
                    row.discount_paise / 100,
                    row.net_paise / 100,
                    row.salesman,
                    row.beat,
                ]
            )
        put(totals("Bill Total", bill))
    put(totals("Grand Total", rows))
    return workbook_bytes(workbook), numbers


def write_busy(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    out: list[list[object]] = [
        [
            "Voucher No",
            "Date",
            "Type",
            "Customer",
            "Item",
            "Cs",
            "Pcs",
            "Free Qty",
            "Rate",
            "Gross",
            "Discount",
            "Net Amount",
            "Status",
        ]
    ]
    for row in rows:
        out.append(
            [
                row.invoice_number,
                row.bad.get("date", f"{row.day:%d-%m-%Y}"),
                "Return" if row.line_type == "return" else "Sale",
                row.party_name,
                row.item or "",
                row.cases,
                row.bad.get("quantity", row.pieces),
                row.free,
                f"₹{indian(row.rate_paise)}",
                f"₹{indian(row.gross_paise)}",
                f"₹{indian(row.discount_paise)}",
                f"₹{indian(row.net_paise)}",
                "Cancelled" if row.cancelled else "Active",
            ]
        )
    return delimited(out).encode("utf-8-sig"), list(range(2, len(rows) + 2))


def write_legacy(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    for column, header in enumerate(("Inv No.", "Inv Date", "Retailer Name", "Product", "Qty (Pcs)", "Value")):
        sheet.write(0, column, header)
    for i, row in enumerate(rows, start=1):
        values = (
            row.invoice_number,
            row.bad.get("date", excel_serial(row.day)),
            row.party_name,
            row.item or "",
            row.bad.get("quantity", row.quantity),
            row.net_paise / 100,
        )
        for column, value in enumerate(values):
            if value != "":
                sheet.write(i, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), list(range(2, len(rows) + 2))


def write_tally(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    out: list[list[object]] = [
        [meta.distributor_name],
        ["Sales Day Book"],
        ["Voucher No", "Voucher Date", "Dukan", "Maal", "Peti", "Pcs", "Scheme Qty", "Rate", "Amount"],
    ]
    for row in rows:
        out.append(
            [
                row.invoice_number,
                row.bad.get("date", tally_date(row.day)),
                row.party_name,
                row.item or "",
                row.cases,
                row.bad.get("quantity", row.pieces),
                row.free,
                plain(row.rate_paise),
                f"Rs. {indian(row.net_paise)}",
            ]
        )
    good = [r for r in rows if "quantity" not in r.bad]
    out.append(
        [
            "Total",
            "",
            "",
            "",
            sum(r.cases for r in good),
            sum(r.pieces for r in good),
            sum(r.free for r in rows),
            "",
            f"Rs. {indian(sum(r.net_paise for r in rows))}",
        ]
    )
    return delimited(out, ";").encode("cp1252"), list(range(4, len(rows) + 4))


def write_multisheet(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Summary"
    summary.append(["Retailer Code", "Retailer", "Invoices", "Qty (Pcs)", "Net Value"])
    parties: dict[str, list[Row]] = {}
    for row in rows:
        parties.setdefault(row.party_code, []).append(row)
    for party_code in sorted(parties):
        group = parties[party_code]
        summary.append(
            [
                party_code,
                group[0].party_name,
                len({r.invoice_number for r in group}),
                _quantity_sum(group),
                sum(r.net_paise for r in group) / 100,
            ]
        )
    invoices = len({r.invoice_number for r in rows})
    summary.append(["", "Total", invoices, _quantity_sum(rows), sum(r.net_paise for r in rows) / 100])

    details = workbook.create_sheet("Sales Details")
    headers = (
        "Inv Date",
        "Invoice No",
        "Retailer Code",
        "Retailer",
        "SKU Code",
        "Description",
        "Qty Cs",
        "Qty Pcs",
        "Free Pcs",
        "Net Value",
        "DSR",
        "Sch Disc",
    )
    details.cell(1, 1, f"{meta.distributor_name} - Sales Details {meta.start:%d.%m.%Y} to {meta.end:%d.%m.%Y}")
    details.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for column, header in enumerate(headers, start=1):
        details.cell(3, column, header)
    for i, row in enumerate(rows, start=4):
        values = (
            row.bad.get("date", f"{row.day:%d.%m.%Y}"),
            row.invoice_number,
            row.party_code,
            row.party_name,
            row.item_code,
            row.item_name,
            row.cases,
            row.bad.get("quantity", row.pieces),
            row.free,
            row.net_paise / 100,
            row.salesman,
            discount_fraction(row),
        )
        for column, value in enumerate(values, start=1):
            if value is not None:
                details.cell(i, column, value)
    return workbook_bytes(workbook), list(range(4, len(rows) + 4))


def discount_fraction(row: Row) -> float:
    """The scheme discount as a fraction of the gross (0.05 = 5%): a column no amount field may take."""
    return round(row.discount_paise / row.gross_paise, 2) if row.gross_paise else 0.0


def write_headerless(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    """The DMS's quick export: one title line (the period), then data rows with no header row; the columns are
    known only by position (the distributor's layout names them), the last one a discount fraction."""
    out: list[list[object]] = [[f"{meta.distributor_name} quick export {meta.start:%d.%m.%Y} to {meta.end:%d.%m.%Y}"]]
    for row in rows:
        out.append(
            [
                row.bad.get("date", f"{row.day:%d.%m.%Y}"),
                row.invoice_number,
                row.party_code,
                row.party_name,
                row.item_code or "",
                row.item_name or "",
                row.cases,
                row.bad.get("quantity", row.pieces),
                row.free,
                plain(row.net_paise),
                row.salesman,
                discount_fraction(row),
            ]
        )
    return delimited(out).encode("utf-8"), list(range(2, len(rows) + 2))


HEADERLESS_LAYOUT = {
    "sheet": "Sales Details",  # the workbook's; a CSV has no sheets, so it must not stop the CSV being read
    "ignore": ["Sch Disc"],  # discount fractions: no amount field may take them
    "csv": {
        "header": False,
        "skip_rows": 1,
        "columns": {
            "invoice_date": 1,
            "invoice_number": 2,
            "party_code": 3,
            "party_name": 4,
            "item_code": 5,
            "item_name": 6,
            "quantity_cases": 7,
            "quantity_pieces": 8,
            "free_units": 9,
            "net_amount": 10,
            "salesman": 11,
        },
        "ignore": [12],
    },
}


HINGLISH_HEADERS = ("Bill Number", "Tarikh", "Party", "Saman", "Matra", "Rakam")
KUL_YOG_HEADERS = ("Bill No", "Tarikh", "Party", "Saman", "Nag", "Rakam")
DEVANAGARI_HEADERS = ("बिल नंबर", "तारीख", "पार्टी", "सामान", "नग", "रकम")


def _small_biller(
    rows: list[Row], headers: tuple[str, ...], title: str | None = None, total: str | None = None
) -> tuple[bytes, list[int]]:
    out: list[list[object]] = [[title]] if title else []
    out.append(list(headers))
    first = len(out) + 1
    for i, row in enumerate(rows):
        out.append(
            [
                row.invoice_number,
                row.bad.get("date", f"{row.day.day}/{row.day.month}/{row.day.year % 100:02d}"),
                row.party_name,
                row.item or "",
                row.bad.get("quantity", row.quantity),
                f" {indian(row.net_paise)} " if i % 3 else f"  {indian(row.net_paise)}",
            ]
        )
    if total:
        out.append([total, "", "", "", _quantity_sum(rows), indian(sum(r.net_paise for r in rows))])
    text = delimited(out, "\t")
    return b"\xff\xfe" + text.encode("utf-16-le"), list(range(first, len(rows) + first))


def write_hinglish(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    return _small_biller(rows, HINGLISH_HEADERS)


def write_hinglish_kul_yog(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    """The same biller's export with `Nag` for the quantity and a `Kul Yog` (grand total) row."""
    return _small_biller(rows, KUL_YOG_HEADERS, total="Kul Yog")


def write_devanagari(rows: list[Row], meta: FileMeta) -> tuple[bytes, list[int]]:
    """Its Devanagari export: a title row with the period, Hindi headers and a `कुल योग` total row."""
    title = f"बिक्री रजिस्टर {meta.start:%d/%m/%y} से {meta.end:%d/%m/%y}"
    return _small_biller(rows, DEVANAGARI_HEADERS, title=title, total="कुल योग")


WRITERS: dict[str, Writer] = {
    "marg_xlsx": write_marg,
    "busy_csv": write_busy,
    "legacy_xls": write_legacy,
    "tally_csv": write_tally,
    "multisheet_xlsx": write_multisheet,
    "hinglish_tsv": write_hinglish,
    "headerless_csv": write_headerless,
    "hinglish_kul_yog_tsv": write_hinglish_kul_yog,
    "devanagari_tsv": write_devanagari,
}
# the shapes a layout's files take, one per ISO week in turn (`file_shape`)
SHAPES: dict[str, tuple[str, ...]] = {
    "multisheet_xlsx": ("multisheet_xlsx", "headerless_csv"),
    "hinglish_tsv": ("hinglish_tsv", "hinglish_kul_yog_tsv", "devanagari_tsv"),
}
# the deployment's layout a distributor of this layout needs (`data/config/layouts/distributor_sales/<CODE>.yml`)
DEPLOYMENT_LAYOUTS: dict[str, dict] = {"multisheet_xlsx": HEADERLESS_LAYOUT}


def file_shape(layout: str, start: date) -> str:
    """The shape of a distributor's file for the week (or day) starting `start`."""
    shapes = SHAPES.get(layout, (layout,))
    return shapes[start.isocalendar().week % len(shapes)]


# what a layout's files carry, for truth/file_faults.json
FEATURES: dict[str, tuple[str, ...]] = {
    "marg_xlsx": ("total_rows",),
    "busy_csv": ("text_dates", "indian_amounts"),
    "legacy_xls": (),
    "tally_csv": ("total_rows", "text_dates", "indian_amounts"),
    "multisheet_xlsx": ("text_dates",),
    "hinglish_tsv": ("text_dates", "indian_amounts"),
    "headerless_csv": ("headerless_layout", "text_dates"),
    "hinglish_kul_yog_tsv": ("total_rows", "text_dates", "indian_amounts"),
    "devanagari_tsv": ("devanagari_headers", "total_rows", "text_dates", "indian_amounts"),
}
BAD_DATES = {
    "marg_xlsx": "31-13-2026",
    "busy_csv": "31-13-2026",
    "legacy_xls": "31-13-2026",
    "tally_csv": "32-Nov-26",
    "multisheet_xlsx": "31.13.2026",
    "hinglish_tsv": "31/13/26",
}  # by layout: a shape of the layout writes the same
DATE_FORMATS = {
    "busy_csv": "dd-mm-yyyy",
    "tally_csv": "d-Mon-yy",
    "multisheet_xlsx": "dd.mm.yyyy",
    "hinglish_tsv": "d/m/yy",
    "headerless_csv": "dd.mm.yyyy",
    "hinglish_kul_yog_tsv": "d/m/yy",
    "devanagari_tsv": "d/m/yy",
}


def total_row_count(layout: str, rows: list[Row]) -> int:
    if layout == "marg_xlsx":
        return len(_bills(rows)) + 1
    if layout in ("tally_csv", "hinglish_kul_yog_tsv", "devanagari_tsv"):
        return 1
    return 0
