"""Tally Day Book XML: the parser on the real corpus exports, and the reader on XML these tests write."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from ingest.core.errors import FileRejected
from ingest.core.grid import read_grid
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import ingest_inbox
from ingest.tally_daybook.parser import (
    parse_amount,
    parse_daybook,
    parse_daybook_file,
    parse_quantity,
    parse_rate,
    resolve_base_type,
)
from tests.tally_helpers import (
    TABLE,
    corpus_file,
    envelope,
    ledger,
    read,
    reasons,
    sale,
    stock_line,
    voucher,
    write,
)

# ---------------------------------------------------------------- the corpus


def test_kesans_daybook_facts() -> None:
    daybook = parse_daybook_file(corpus_file("kesans/DayBook.xml"))
    assert len(daybook.vouchers) == 122
    assert Counter(v.base_type for v in daybook.vouchers) == {
        "Sales": 27,
        "Purchase": 72,
        "Credit Note": 18,
        "Debit Note": 5,
    }
    lines = [line for v in daybook.vouchers for line in v.stock_lines]
    assert len(lines) == 147
    assert sum(not line.has_quantity for line in lines) == 12
    dates = [v.date for v in daybook.vouchers]
    assert (min(dates).isoformat(), max(dates).isoformat()) == ("2018-09-01", "2023-05-01")  # type: ignore[union-attr]
    for v in daybook.vouchers:
        assert abs(v.ledger_total + v.stock_total) < 0.01, (v.voucher_type, v.voucher_number)
    first = daybook.vouchers[0].stock_lines[0]
    assert (first.item_name, first.actual_qty, first.actual_unit, first.rate, first.rate_unit) == (
        "Tooth paste",
        19.0,
        "Number",
        80.0,
        "Number",
    )


def test_kesans_daybook_through_the_reader(masters: MasterData) -> None:
    result = read(corpus_file("kesans/DayBook.xml"), masters)
    assert result.rows_read == 147  # the stock lines; the 3 vouchers without one are skipped
    assert result.rows_skipped == 3
    # the brand's masters know none of this shop's items; the 12 lines without a quantity fail first
    assert reasons(result) == {"no_quantity": 12, "unknown_sku": 135}
    assert [str(d) for d in result.period] == ["2018-09-01", "2023-05-01"]  # type: ignore[union-attr]
    assert result.quarantine["_row_number"].n_unique() == 147
    assert result.quarantine["_row_number"].min() == 1001


def test_jogsaurabh_daybook_facts() -> None:
    daybook = parse_daybook_file(corpus_file("jogsaurabh/DayBook.xml"))
    assert [(v.base_type, v.voucher_number) for v in daybook.vouchers] == [("Sales", "1"), ("Sales", "2")]
    first, second = daybook.vouchers
    assert [(s.item_name, s.billed_qty, s.rate, s.amount) for s in first.stock_lines] == [
        ("Item 3", 11.0, 22.0, 242.0),
        ("Itm1", 44.0, 55.0, 2420.0),
        ("Itm 2", 55.0, 3.0, 165.0),
    ]
    for line in first.stock_lines:
        assert line.billed_qty * line.rate == pytest.approx(line.amount)  # type: ignore[operator]
    taxes = {e.ledger_name: e.amount for e in first.ledger_entries}
    assert taxes["Cgst"] == taxes["Sgst"] == 233.75
    assert taxes["Cash"] == -3294.50  # the party is debited: negative in Tally's sign convention
    assert second.stock_lines == [] and second.party_name == "Paart2"
    assert {e.ledger_name: e.amount for e in second.ledger_entries} == {"Paart2": -11111.0, "Sales": 11111.0}
    for v in daybook.vouchers:
        assert abs(v.ledger_total + v.stock_total) < 0.01


def _xlsx_daybook(path: Path) -> tuple[dict[str, float], dict[str, list[tuple[str, float, float, float]]]]:
    """Voucher totals and item sub-rows from Tally's Excel Day Book (title rows, then a voucher row per voucher
    with Vch Type / Vch No. / Debit Amount, and item rows with quantity, rate, amount under it)."""
    (sheet,) = read_grid(path)
    totals: dict[str, float] = {}
    items: dict[str, list[tuple[str, float, float, float]]] = {}
    current = None
    for row in sheet.frame.drop("_row_number").iter_rows():
        cells = [c.strip() if isinstance(c, str) and c.strip() else None for c in row]
        if cells[6] and cells[7] and cells[6] != "Vch Type":
            current = cells[7]
            totals[current] = float(cells[8] or cells[9])  # type: ignore[arg-type]
            items[current] = []
        elif current and cells[1] and all(_is_number(c) for c in cells[2:5]):
            items[current].append((cells[1], float(cells[2]), float(cells[3]), float(cells[4])))  # type: ignore[arg-type]
    return totals, items


def _is_number(text: str | None) -> bool:
    try:
        float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def test_jogsaurabh_xml_agrees_with_xlsx() -> None:
    daybook = parse_daybook_file(corpus_file("jogsaurabh/DayBook.xml"))
    totals, items = _xlsx_daybook(corpus_file("jogsaurabh/DayBook.xlsx"))
    assert totals == {"1": 3294.50, "2": 11111.0}
    assert sorted(totals) == sorted(v.voucher_number for v in daybook.vouchers)  # type: ignore[type-var]
    for v in daybook.vouchers:
        party = next(e for e in v.ledger_entries if e.ledger_name == v.party_name)
        assert abs(party.amount) == totals[v.voucher_number]  # type: ignore[arg-type,index]
        assert [(s.item_name, s.billed_qty, s.rate, s.amount) for s in v.stock_lines] == items[v.voucher_number]  # type: ignore[index]


def test_masters_export_is_sanitised_then_rejected_for_having_no_vouchers() -> None:
    """UTF-16 with `&#4;` references and UDF: prefixes parses (a strict parser refuses it); it is no Day Book."""
    with pytest.raises(FileRejected) as caught:
        parse_daybook_file(corpus_file("kesans/Master_from_tally.xml"))
    assert caught.value.code == "no_vouchers"


# ---------------------------------------------------------------- written XML: encodings and sanitising


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-16-be-bom"])
def test_encodings(tmp_path: Path, masters: MasterData, encoding: str) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\r\n' + envelope(sale())
    data = b"\xfe\xff" + text.encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)
    result = read(write(tmp_path, data), masters)  # type: ignore[arg-type]
    lines = result.tables[TABLE]
    assert result.rows_read == 1 and result.quarantine.height == 0
    row = lines.row(0, named=True)
    assert (row["sku_code"], row["quantity_units"], row["rate"], row["amount"], row["line_type"]) == (
        "SKU0001",
        10,
        9.5,
        95.0,
        "sale",
    )
    assert (row["voucher_number"], str(row["voucher_date"]), row["party_name"]) == (
        "S-1",
        "2026-01-05",
        "Sharma Traders",
    )
    assert row["_sheet"] is None and row["_row_number"] == 1001


def test_forbidden_character_reference_and_raw_control_character(tmp_path: Path, masters: MasterData) -> None:
    text = envelope(sale(party="&#4; Sharma\x04 Traders&#x1F;"), sale("S-2", party="Gupta &amp; Sons &#233;"))
    result = read(write(tmp_path, text, "utf-16"), masters)
    parties = result.tables[TABLE]["party_name"].to_list()
    assert parties == ["Sharma Traders", "Gupta & Sons é"]


def test_not_well_formed_xml_is_rejected(tmp_path: Path, masters: MasterData) -> None:
    with pytest.raises(FileRejected) as caught:
        read(write(tmp_path, envelope(sale()).replace("</ENVELOPE>", "")), masters)
    assert caught.value.code == "not_xml" and "DayBook.xml" in caught.value.message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Bill No,Date,Item\n1,05-01-2026,PG100\n", "not_xml"),
        (b"<ENVELOPE><BODY/></ENVELOPE>", "no_vouchers"),
        (b"<ENVELOPE>\xe9\xff\xfe caf\xe9</ENVELOPE>", "undecodable"),
        (b"   ", "empty_file"),
    ],
)
def test_whole_file_rejections(tmp_path: Path, masters: MasterData, data: bytes, code: str) -> None:
    with pytest.raises(FileRejected) as caught:
        read(write(tmp_path, data), masters)  # type: ignore[arg-type]
    assert caught.value.code == code


# ---------------------------------------------------------------- malicious XML


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ENVELOPE><BODY><TALLYMESSAGE><VOUCHER><VOUCHERTYPENAME>Sales</VOUCHERTYPENAME>
<PARTYLEDGERNAME>&lol9;</PARTYLEDGERNAME></VOUCHER></TALLYMESSAGE></BODY></ENVELOPE>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ENVELOPE><BODY><TALLYMESSAGE><VOUCHER><VOUCHERTYPENAME>Sales</VOUCHERTYPENAME>
<PARTYLEDGERNAME>&xxe;</PARTYLEDGERNAME></VOUCHER></TALLYMESSAGE></BODY></ENVELOPE>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE ENVELOPE SYSTEM "http://example.invalid/tally.dtd">
<ENVELOPE><BODY><TALLYMESSAGE><VOUCHER/></TALLYMESSAGE></BODY></ENVELOPE>"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_malicious_xml_is_rejected_not_expanded(tmp_path: Path, masters: MasterData, text: str, encoding: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FileRejected) as caught:
        read(write(tmp_path, text, encoding), masters)
    assert caught.value.code == "unsafe_xml"
    assert "root:" not in caught.value.message
    assert time.perf_counter() - started < 5


# ---------------------------------------------------------------- voucher types, documents, SKUs


def test_custom_voucher_type_resolved_through_a_voucher_type_master(tmp_path: Path, masters: MasterData) -> None:
    masters_message = (
        '<TALLYMESSAGE><VOUCHERTYPE NAME="GST Sale"><PARENT>Sales</PARENT></VOUCHERTYPE></TALLYMESSAGE>'
        '<TALLYMESSAGE><VOUCHERTYPE NAME="Shop Return"><PARENT>Credit Note</PARENT></VOUCHERTYPE></TALLYMESSAGE>'
    )
    text = envelope(
        sale("G-1", vtype="GST Sale"),
        voucher(
            "R-1",
            [stock_line("PG100", "2 Pcs", "9.50/Pcs", "-19.00")],
            [ledger("Sharma Traders", "19.00")],
            vtype="Shop Return",
        ),
        masters_message,  # after the vouchers: resolution waits for the whole file
    )
    result = read(write(tmp_path, text), masters)
    lines = result.tables[TABLE].sort("_row_number")
    assert lines["voucher_type"].to_list() == ["GST Sale", "Shop Return"]
    assert lines["base_type"].to_list() == ["Sales", "Credit Note"]
    assert lines["line_type"].to_list() == ["sale", "return"]
    assert lines["quantity_units"].to_list() == [10, 2] and lines["amount"].to_list() == [95.0, 19.0]


def test_custom_voucher_type_resolved_by_vchtype_or_layout(tmp_path: Path, masters: MasterData) -> None:
    text = envelope(
        sale("A-1", vtype="Counter Sale", vchtype="Sales"),
        sale("B-1", vtype="Van Sale", vchtype="Van Sale"),
        sale("C-1", vtype="Mystery", vchtype="Mystery"),
    )
    layouts = tmp_path / "layouts"
    (layouts / "tally_daybook").mkdir(parents=True)
    (layouts / "tally_daybook" / "D001.yml").write_text('voucher_types:\n  "van sale": sales\n')
    result = read(write(tmp_path, text), masters, layouts)
    assert result.tables[TABLE]["voucher_number"].to_list() == ["A-1", "B-1"]
    assert set(result.tables[TABLE]["base_type"]) == {"Sales"}
    assert reasons(result) == {"unknown_voucher_type": 1}
    assert "Mystery" in result.quarantine["reason"][0] and "voucher_types" in result.quarantine["reason"][0]


def test_resolve_base_type_order() -> None:
    parents = {"Van GST Sale": "GST Sale", "GST Sale": "Sales", "Loop": "Loop2", "Loop2": "Loop"}
    assert resolve_base_type("Van GST Sale", None, parents) == "Sales"
    assert resolve_base_type("Loop", "Loop", parents) == "other"
    assert resolve_base_type("GST Sale", "GST Sale", parents, {"GST Sale": "Purchase"}) == "Purchase"
    assert resolve_base_type("sales", None, {}) == "Sales"
    assert resolve_base_type("Delivery Note", None, {}) == "Delivery Note"


def test_cancelled_and_optional_vouchers_are_quarantined(tmp_path: Path, masters: MasterData) -> None:
    text = envelope(sale("S-1"), sale("S-2", cancelled=True), sale("S-3", optional=True))
    result = read(write(tmp_path, text), masters)
    assert result.tables[TABLE]["voucher_number"].to_list() == ["S-1"]
    assert reasons(result) == {"cancelled_document": 1, "optional_document": 1}
    cancelled = result.quarantine.filter(pl.col("reason_code") == "cancelled_document").row(0, named=True)
    assert cancelled["_row_number"] == 2001 and "'S-2'" in cancelled["reason"]
    assert '"voucher_number": "S-2"' in cancelled["raw_values"]


def test_unknown_item_is_quarantined_with_suggestions(tmp_path: Path, masters: MasterData) -> None:
    result = read(write(tmp_path, envelope(sale(item="Crunchy Glucose Biscuit 100g pack"))), masters)
    assert result.rows_loaded == 0 and reasons(result) == {"unknown_sku": 1}
    reason = result.quarantine["reason"][0]
    assert "unknown SKU 'Crunchy Glucose Biscuit 100g pack'" in reason
    assert "closest: SKU0001 Crunchy Glucose Biscuit 100 g" in reason


def test_line_types_signs_and_accounting(tmp_path: Path, masters: MasterData) -> None:
    """Tally signs: credit positive, debit negative. Sales and Debit Note credit the stock; Purchase and Credit Note
    debit it. The raw table keeps amounts and quantities positive and the direction in line_type."""
    text = envelope(
        sale("S-1"),
        voucher(
            "P-1",
            [stock_line("SKU0002", "2 Box", "480.00/Box", "-960.00")],
            [ledger("Brand", "960.00")],
            vtype="Purchase",
            party="Brand",
        ),
        voucher(
            "CN-1",
            [stock_line("PG100", "3 Pcs", "9.50/Pcs", "-28.50")],
            [ledger("Sharma Traders", "28.50")],
            vtype="Credit Note",
        ),
        voucher(
            "DN-1",
            [stock_line("SKU0002", "4 Pcs", "20.00/Pcs", "80.00")],
            [ledger("Brand", "-80.00")],
            vtype="Debit Note",
            party="Brand",
        ),
        voucher("J-1", [], [ledger("Cash", "-10.00"), ledger("Bank", "10.00")], vtype="Journal"),
        voucher("DL-1", [stock_line("PG100", "1 Pcs", None, "0")], [], vtype="Delivery Note"),
    )
    path = write(tmp_path, text)
    for v in parse_daybook(path.read_bytes()).vouchers:
        assert abs(v.ledger_total + v.stock_total) < 0.01, v.voucher_number
    result = read(path, masters)
    lines = result.tables[TABLE].sort("_row_number")
    assert result.rows_read == 4 and result.rows_skipped == 2  # the journal (no stock) and the delivery note line
    assert lines.select("voucher_number", "line_type", "sku_code", "quantity_units", "amount").rows() == [
        ("S-1", "sale", "SKU0001", 10, 95.0),
        ("P-1", "purchase", "SKU0002", 48, 960.0),  # 2 boxes x 24 units per case
        ("CN-1", "return", "SKU0001", 3, 28.5),
        ("DN-1", "purchase_return", "SKU0002", 4, 80.0),
    ]
    assert lines["_row_number"].to_list() == [1001, 2001, 3001, 4001]
    assert result.rows_read == result.rows_loaded + result.quarantine.height + result.rows_deduplicated


def test_free_goods_missing_and_fractional_quantities(tmp_path: Path, masters: MasterData) -> None:
    text = envelope(
        voucher(
            "S-9",
            [
                stock_line("PG100", "12 Pcs", "9.50/Pcs", "95.00", billed="10 Pcs"),
                stock_line("PG100", None, "9.50/Pcs", "5.00"),
                stock_line("SKU0002", "1.5 Kg", "40/Kg", "60.00"),  # 7.5 packs of 200 g: a loose sale
                stock_line("PG100", "2.5 Pcs", "9.50/Pcs", "23.75"),
            ],
            [ledger("Sharma Traders", "-183.75")],
        )
    )
    result = read(write(tmp_path, text), masters)
    lines = result.tables[TABLE].sort("_row_number")
    assert lines.select("quantity", "unit", "quantity_units", "free_units", "quantity_flag").rows() == [
        (10.0, "Pcs", 10, 2, None),
        (1.5, "Kg", None, None, "not_whole_pieces"),
    ]
    assert reasons(result) == {"no_quantity": 1, "bad_quantity": 1}
    assert result.quarantine.sort("_row_number")["_row_number"].to_list() == [1002, 1004]
    reason = result.quarantine.sort("_row_number")["reason"].to_list()
    assert reason[0].startswith("value-only line: 'PG100' in Sales voucher 'S-9'") and "(5.0)" in reason[0]
    assert reason[1] == "quantity 2.5 Pcs of 'PG100' is not a whole number of pieces"


# ---------------------------------------------------------------- value parsing and speed


def test_value_parsers() -> None:
    assert parse_quantity(" 19 Number") == parse_quantity("19 Number")
    assert (parse_quantity(" 19 Number").value, parse_quantity(" 19 Number").unit) == (19.0, "Number")
    assert (parse_quantity("5 Pcs").value, parse_quantity("-2 Box = 24 Nos").value) == (5.0, -2.0)
    assert parse_quantity("1,200 Nos").value == 1200.0 and parse_quantity("").value is None
    assert parse_rate("80.00/Number") == (80.0, "Number")
    assert parse_rate("$ 1.00 = ₹ 83.10/Nos") == (83.1, "Nos") and parse_rate(None) == (None, None)
    assert parse_amount("-3294.50") == -3294.5 and parse_amount("242.00") == 242.0
    assert parse_amount("-$ 10.00 @ ₹ 80/$ = -₹ 800.00") == -800.0 and parse_amount(" ") is None


def test_parsing_is_linear(tmp_path: Path) -> None:
    small = envelope(*[sale(f"S-{i}") for i in range(500)]).encode("utf-16")
    large = envelope(*[sale(f"S-{i}") for i in range(10_000)]).encode("utf-16")
    timings = []
    for data in (small, large):
        started = time.perf_counter()
        daybook = parse_daybook(data)
        timings.append(time.perf_counter() - started)
    assert len(daybook.vouchers) == 10_000
    # 20x the vouchers must not take much more than 20x the time (no quadratic step); a ratio within one run,
    # since absolute times depend on the machine's load (the speed itself is for a benchmark)
    assert timings[1] < 60 * max(timings[0], 0.01)


def test_a_workbook_that_is_no_day_book_is_rejected_with_a_clear_reason(tmp_path: Path, masters: MasterData) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Bill No", "Date", "Item", "Qty"])  # type: ignore[union-attr]
    book.save(tmp_path / "DayBook.xml")  # the extension lies; the bytes decide
    with pytest.raises(FileRejected) as caught:
        read(tmp_path / "DayBook.xml", masters)
    assert caught.value.code == "not_a_daybook" and "Vch Type" in caught.value.message


def test_nightly_load_writes_the_raw_table(inbox: Path, lake: Lake, masters: MasterData) -> None:
    folder = inbox / "tally_daybook" / "D001"
    folder.mkdir(parents=True)
    write(folder, envelope(sale("S-1"), sale("S-2", cancelled=True)), "utf-16")
    outcomes = ingest_inbox(inbox, lake, kinds=["tally_daybook"])
    assert [(o.status, o.rows_read, o.rows_loaded, o.rows_quarantined) for o in outcomes] == [("loaded", 2, 1, 1)]
    ledger = lake.ledger().filter(pl.col("source_kind") == "tally_daybook").row(0, named=True)
    assert (ledger["table_name"], str(ledger["period_start"]), ledger["rows_skipped"]) == (TABLE, "2026-01-05", 0)
    assert lake.read_table(TABLE, [ledger["load_id"]])["sku_code"].to_list() == ["SKU0001"]


# ---------------------------------------------------------------- end to end (the session's tiny network)


@pytest.mark.e2e
def test_generated_tally_daybooks_reach_the_marts(tiny_network: Path) -> None:
    """The generator's Day Books (XML and Excel) through the nightly run: their sales are secondary sales with
    their units, equal to the truth; purchases stay in staging; the consistent line over a crore loads with a
    warning."""
    import duckdb

    from tests.pipeline_helpers import published_path

    truth = pl.read_parquet(tiny_network / "truth" / "secondary_lines.parquet").filter(
        pl.col("file_name").str.starts_with("tally_daybook/")
    )
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        sales = con.sql(
            "select invoice_number, invoice_date, sku_code, quantity_units, free_units, net_amount, unit, quantity, "
            "quantity_flag, _source_file from fct_secondary_sales where origin = 'tally'"
        ).pl()
        staged = con.sql(
            "select line_type, count(*) as n, max(amount) as top from staging.stg_tally_daybook__voucher_lines "
            "group by 1 order by 1"
        ).pl()
        loads = con.sql(
            "select file_name, rows_read, rows_loaded, rows_quarantined from ops.fct_file_loads "
            "where source_kind = 'tally_daybook'"
        ).pl()
        warned = con.sql(
            "select file_name from ops.fct_data_quality_results "
            "where expectation = 'amount_within_usual_range' and not success"
        ).pl()
    columns = ["invoice_number", "invoice_date", "sku_code", "quantity_units", "free_units", "net_amount"]
    assert truth.height > 0 and sales.height == truth.height
    assert sales.select(columns).sort(columns).equals(truth.select(columns).sort(columns))
    assert {"KG", "Box", "Pair"} <= set(sales["unit"].drop_nulls()) and sales["quantity_flag"].null_count() == len(
        sales
    )
    assert {f.rsplit(".", 1)[1] for f in sales["_source_file"]} == {"xml", "xlsx"}
    assert dict(zip(staged["line_type"], staged["n"], strict=True)).keys() >= {"sale", "purchase"}
    assert staged.filter(pl.col("line_type") == "purchase")["top"][0] > 10_000_000
    assert (loads["rows_quarantined"] == 0).all() and (loads["rows_read"] == loads["rows_loaded"]).all()
    assert warned.height == 1 and warned["file_name"][0].endswith(".xml")
