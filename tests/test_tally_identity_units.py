"""Tally Day Books these tests write, through the nightly load: voucher identity, custom voucher types, units,
unusual amounts, preview totals. (The real exports are in test_tally_corpus.py.)"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.units import pack_content, unit_key
from tests.conftest import write_csv
from tests.tally_helpers import (
    TABLE,
    credit_note,
    envelope,
    ledger,
    loaded_lines,
    nightly,
    quarantined,
    read,
    reasons,
    stock_line,
    validations,
    voucher,
    write,
)


def _line(item: str, qty: str, rate: str, amount: str) -> str:
    return stock_line(item, qty, rate, amount)


def _sale(number: str, qty: str, rate: str, amount: str, **kwargs: object) -> str:
    return voucher(number, [_line("PG100", qty, rate, amount)], [ledger("Sharma Traders", f"-{amount}")], **kwargs)  # type: ignore[arg-type]


def _purchase(number: str, party: str, amount: str = "960.00", **kwargs: object) -> str:
    line = stock_line("SKU0002", "2 Box", "480.00/Box", f"-{amount}")
    return voucher(number, [line], [ledger(party, amount)], vtype="Purchase", party=party, **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------- identity


def test_numbers_shared_across_types_years_and_suppliers_all_load(inbox: Path, lake: Lake) -> None:
    """Tally numbers each voucher type separately and restarts each year; a purchase carries the supplier's bill
    number. None of that is a duplicate: a voucher is its GUID."""
    text = envelope(
        _sale("1", " 10 Pcs", "9.50/Pcs", "95.00"),
        credit_note("1"),
        _sale("1", " 4 Pcs", "9.50/Pcs", "38.00", party="Gupta Stores", date="20250403"),  # last year's #1
        _purchase("1", "Brand Pvt Ltd"),
        _purchase("1", "Metro Wholesale", amount="480.00"),  # another supplier's bill number 1, same day
        voucher(
            "1",
            [stock_line("SKU0002", " 4 Pcs", "20.00/Pcs", "80.00")],
            [ledger("Brand Pvt Ltd", "-80.00")],
            vtype="Debit Note",
            party="Brand Pvt Ltd",
        ),
    )
    outcome = nightly(inbox, lake, {"DayBook.xml": text})
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == ("loaded", 6, 6, 0)
    lines = loaded_lines(lake, outcome)
    assert lines["voucher_number"].unique().to_list() == ["1"]
    assert lines["voucher_key"].n_unique() == 6 and lines["voucher_key"][0] == "guid-Sales-1-20260105-Sharma Traders"
    assert lines["line_type"].to_list() == ["sale", "return", "sale", "purchase", "purchase", "purchase_return"]
    assert "voucher_key_unique_per_file" not in validations(lake, outcome)


def test_one_guid_for_two_vouchers_is_quarantined_and_a_double_entry_warns(inbox: Path, lake: Lake) -> None:
    text = envelope(
        _sale("7", " 10 Pcs", "9.50/Pcs", "95.00", guid="g-1"),
        _sale("8", " 10 Pcs", "9.50/Pcs", "95.00", guid="g-1"),  # the same GUID, another number: contradictory
        _sale("9", " 1 Pcs", "9.50/Pcs", "9.50", guid="g-2"),
        _sale("9", " 1 Pcs", "9.50/Pcs", "9.50", guid="g-3"),  # the same bill entered twice in Tally
    )
    outcome = nightly(inbox, lake, {"DayBook.xml": text})
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (2, 2)
    bad = quarantined(lake, outcome)
    assert bad["reason_code"].to_list() == ["duplicate_invoice"] * 2 and "'g-1'" in bad["reason"][0]
    assert loaded_lines(lake, outcome)["voucher_key"].to_list() == ["g-2", "g-3"]
    assert validations(lake, outcome)["voucher_entered_once"] == 2


# ---------------------------------------------------------------- custom voucher types


def test_custom_types_resolve_through_reservedname_and_parent_chains(tmp_path: Path, masters: MasterData) -> None:
    masters_xml = (
        # as TallyPrime wrote it in the issue: the type names itself as parent; RESERVEDNAME says what it is
        '<TALLYMESSAGE><VOUCHERTYPE NAME="GST Sale Invoice" RESERVEDNAME="Sales">'
        "<PARENT>GST Sale Invoice</PARENT></VOUCHERTYPE></TALLYMESSAGE>"
        '<TALLYMESSAGE><VOUCHERTYPE NAME="Van Sale" RESERVEDNAME=""><PARENT>GST Sale Invoice</PARENT>'
        "</VOUCHERTYPE></TALLYMESSAGE>"
        '<TALLYMESSAGE><VOUCHERTYPE NAME="Route Van 2"><PARENT>Van Sale</PARENT></VOUCHERTYPE></TALLYMESSAGE>'
        '<TALLYMESSAGE><VOUCHERTYPE NAME="Shop Return"><RESERVEDNAME>Credit Note</RESERVEDNAME>'
        "<PARENT>Shop Return</PARENT></VOUCHERTYPE></TALLYMESSAGE>"
    )
    text = envelope(
        masters_xml,
        _sale("1", " 10 Pcs", "9.50/Pcs", "95.00", vtype="GST Sale Invoice"),
        _sale("2", " 10 Pcs", "9.50/Pcs", "95.00", vtype="Route Van 2"),  # chain: Route Van 2 > Van Sale > GST Sale
        voucher(
            "1",
            [stock_line("PG100", " 2 Pcs", "9.50/Pcs", "-19.00")],
            [ledger("Sharma Traders", "19.00")],
            vtype="Shop Return",
        ),
        _sale("3", " 1 Pcs", "9.50/Pcs", "9.50", vtype="Counter Bill"),  # nothing in the file says what it is
    )
    path = write(tmp_path, text, "utf-16")
    result = read(path, masters)
    lines = result.tables[TABLE]
    assert lines.select("voucher_type", "base_type", "line_type").rows() == [
        ("GST Sale Invoice", "Sales", "sale"),
        ("Route Van 2", "Sales", "sale"),
        ("Shop Return", "Credit Note", "return"),
    ]
    assert reasons(result) == {"unknown_voucher_type": 1}
    assert "'Counter Bill'" in result.quarantine["reason"][0] and "RESERVEDNAME" in result.quarantine["reason"][0]
    layouts = tmp_path / "layouts"
    (layouts / "tally_daybook").mkdir(parents=True)
    (layouts / "tally_daybook" / "D001.yml").write_text("voucher_types:\n  Counter Bill: Sales\n")
    with_layout = read(path, masters, layouts)  # the layout override for a type the file cannot resolve
    assert with_layout.quarantine.height == 0 and with_layout.rows_loaded == 4


# ---------------------------------------------------------------- units


def test_units_convert_through_the_sku_master_or_stay_flagged(inbox: Path, lake: Lake) -> None:
    """SKU0001: 100 g, 48 per case; SKU0002: 200 g, 24 per case (tests/conftest.py). The brand declares a Pair of
    SKU0002 as 2 pieces in masters/sku_units.csv. A unit nobody declared is kept, flagged, never counted as
    pieces; a weight that is not whole packs too; a fraction of a countable unit is a wrong quantity."""
    write_csv(
        inbox / "masters" / "BRAND" / "sku_units.csv", [{"sku_code": "SKU0002", "unit": "Pair", "pieces_per_unit": "2"}]
    )
    lines = [
        stock_line("PG100", " 2 Box", "456.00/Box", "912.00"),  # 2 x 48
        stock_line("SKU0002", " 7.500 Kg", "200.00/Kg", "1500.00"),  # 7.5 kg of 200 g packs: 37.5 packs
        stock_line("SKU0002", " 7.600 KG", "200.00/KG", "1520.00"),  # 38 packs
        stock_line("PG100", " 1.2 kgs.", "95.00/kg", "114.00"),  # 12 packs of 100 g
        stock_line("SKU0002", " 3 Pair", "16.00/Pair", "48.00"),  # declared: 6 pieces
        stock_line("PG100", " 670 Pair", "19.00/Pair", "12730.00"),  # not declared for SKU0001: flagged
        stock_line("PG100", " 2 Dozen", "114.00/Dozen", "228.00"),
        stock_line("PG100", " 5", "9.50", "47.50"),  # no unit written: pieces
        stock_line("PG100", " 2.5 Pcs", "9.50/Pcs", "23.75"),  # half a piece: wrong
        stock_line("SKU0002", " 50 Bag", "400.00/Bag", "20000.00"),  # nobody knows a Bag: flagged
    ]
    outcome = nightly(inbox, lake, {"DayBook.xml": envelope(voucher("S-1", lines, [ledger("Sharma Traders", "-1")]))})
    got = loaded_lines(lake, outcome).select("quantity", "unit", "quantity_units", "quantity_flag").rows()
    assert got == [
        (2.0, "Box", 96, None),
        (7.5, "Kg", None, "not_whole_pieces"),
        (7.6, "KG", 38, None),
        (1.2, "kgs.", 12, None),
        (3.0, "Pair", 6, None),
        (670.0, "Pair", None, "unknown_unit"),
        (2.0, "Dozen", 24, None),
        (5.0, None, 5, None),
        (50.0, "Bag", None, "unknown_unit"),
    ]
    (bad,) = quarantined(lake, outcome).iter_rows(named=True)
    assert (bad["reason_code"], bad["_row_number"]) == ("bad_quantity", 1009)
    assert "2.5 Pcs" in bad["reason"]


def test_unit_helpers() -> None:
    assert pack_content("100 g") == (100.0, None) and pack_content("1.2 l") == (None, 1200.0)
    assert pack_content("12 x 50 g") == (600.0, None) and pack_content("1 kg") == (1000.0, None)
    assert pack_content("Family pack") == (None, None) and pack_content(None) == (None, None)
    keys = pl.DataFrame({"u": [" Kg. ", "NOS", "", None]}).select(unit_key(pl.col("u")))["u"].to_list()
    assert keys == ["kg", "nos", None, None]


# ---------------------------------------------------------------- unusual amounts


def test_a_consistent_crore_line_loads_and_warns_an_inconsistent_one_is_quarantined(inbox: Path, lake: Lake) -> None:
    lines = [
        stock_line("PG100", " 700 Nos", "46234.00/Nos", "32363800.00"),  # the real 3.24 crore line
        stock_line("PG100", " 2 Nos", "150000.00/Nos", "300000.00"),  # a rate above a lakh, consistent
        stock_line("PG100", " 700 Nos", "46234.00/Nos", "42363800.00"),  # a crore more than 700 x 46,234
    ]
    outcome = nightly(inbox, lake, {"DayBook.xml": envelope(voucher("S-1", lines, [ledger("Sharma Traders", "-1")]))})
    assert loaded_lines(lake, outcome)["amount"].to_list() == [32363800.0, 300000.0]
    (bad,) = quarantined(lake, outcome).iter_rows(named=True)
    assert bad["reason_code"] == "bad_amount" and "32363800.0" in bad["reason"]  # what quantity x rate gives
    failed = validations(lake, outcome)
    assert failed["amount_within_usual_range"] == 2 and failed["rate_within_usual_range"] == 1


# ---------------------------------------------------------------- preview totals


def test_preview_totals_count_vouchers_and_their_amounts(tmp_path: Path, masters: MasterData) -> None:
    text = envelope(
        _sale("1", " 10 Pcs", "9.50/Pcs", "95.00"),
        voucher(
            "1",
            [stock_line("PG100", " 2 Pcs", "9.50/Pcs", "-19.00"), stock_line("PG100", " 1 Pcs", "9.50/Pcs", "-9.50")],
            [ledger("Sharma Traders", "28.50")],
            vtype="Credit Note",
        ),
        _purchase("1", "Brand Pvt Ltd"),
    )
    preview = preview_file(write(tmp_path, text), kind="tally_daybook", distributor_code="D001", masters=masters)
    totals = preview.as_dict()["totals"]
    assert (totals["lines"], totals["documents"]) == (4, 3)  # one voucher number, three vouchers
    assert (totals["net_amount"], totals["purchase_amount"]) == (66.5, 960.0)  # 95 - 28.50
    assert totals["by_line_type"]["return"] == {
        "lines": 2,
        "documents": 1,
        "quantity_units": 3,
        "unconverted_lines": 0,
        "amount": 28.5,
    }


@pytest.mark.parametrize("unit_header", ["Unit", "UOM"])
def test_a_distributor_file_with_a_unit_column_keeps_its_units(inbox: Path, lake: Lake, unit_header: str) -> None:
    from ingest.core.runner import ingest_inbox
    from tests.conftest import write_rows

    rows = [
        ["Bill No", "Bill Date", "Party", "Item", "Qty", unit_header, "Rate", "Amount"],
        ["B1", "05-01-2026", "Sharma Traders", "PG100", "2", "Box", "456", "912"],
        ["B1", "05-01-2026", "Sharma Traders", "SKU0002", "7.6", "KG", "200", "1520"],
        ["B1", "05-01-2026", "Sharma Traders", "PG100", "670", "Pair", "19", "12730"],
        ["B1", "05-01-2026", "Sharma Traders", "PG100", "2.5", "PCS", "9.5", "23.75"],
        ["B2", "05-01-2026", "Gupta Stores", "PG100", "700", "Nos", "46234", "32363800"],
    ]
    write_rows(inbox / "distributor_sales" / "D001" / "sales.csv", rows)
    (outcome,) = [o for o in ingest_inbox(inbox, lake) if o.kind == "distributor_sales"]
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (5, 4, 1)
    lines = lake.read_table("secondary_sales", [outcome.load_id]).sort("_row_number")  # type: ignore[list-item]
    assert lines.select("quantity", "unit", "quantity_units", "quantity_flag").rows() == [
        (2.0, "Box", 96, None),
        (7.6, "KG", 38, None),
        (670.0, "Pair", None, "unknown_unit"),
        (700.0, "Nos", 700, None),
    ]
    assert quarantined(lake, outcome)["reason_code"].to_list() == ["bad_quantity"]
