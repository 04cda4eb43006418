"""The real Tally exports of the shared corpus through the nightly load (ingest_inbox: reader, contract, row
checks, Great Expectations suite, ledger), as a distributor would send them. Skipped where the corpus is absent;
the files are copied into the test's own inbox, never into the project."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import polars as pl

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.runner import ingest_inbox
from tests.conftest import write_csv
from tests.tally_helpers import corpus_file, loaded_lines, quarantined, validations

SKU_COLUMNS = ("sku_code", "sku_name", "brand", "category", "pack_size", "units_per_case", "mrp", "ean")


def _brand_knows(inbox: Path, items: list[str]) -> None:
    """A SKU master that knows the shop's items (a distributor of these goods would have its aliases)."""
    rows = [
        dict(zip(SKU_COLUMNS, (f"K{i:03d}", item, "Kesans", "General", "1 pc", "1", "10", ""), strict=True))
        for i, item in enumerate(items)
    ]
    write_csv(inbox / "masters" / "BRAND" / "skus.csv", rows)


def _deliver(inbox: Path, relative: str, distributor: str) -> None:
    source = corpus_file(relative)
    target = inbox / "tally_daybook" / distributor / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def test_kesans_daybook_loads_through_the_nightly_load(tmp_path: Path) -> None:
    """122 vouchers (Sales 27, Purchase 72, Credit Note 18, Debit Note 5) numbered per type and year (30 distinct
    numbers): 147 stock lines, 12 of them value-only. Was: 0 loaded, 134 duplicate_invoice, 1 bad_amount."""
    inbox, lake = tmp_path / "inbox", Lake(tmp_path / "raw")
    _brand_knows(inbox, ["Tooth paste", "Tooth Brush", "Soap", "Computers", "Test item"])
    _deliver(inbox, "kesans/DayBook.xml", "K01")
    (outcome,) = [o for o in ingest_inbox(inbox, lake) if o.kind == "tally_daybook"]
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (
        "loaded",
        147,
        135,
        12,
    )
    ledger = lake.ledger().filter(pl.col("load_id") == outcome.load_id).row(0, named=True)
    assert ledger["rows_skipped"] == 3  # the three vouchers without a stock line
    bad = quarantined(lake, outcome)
    assert Counter(bad["reason_code"]) == {"no_quantity": 12}
    assert bad["reason"][0].startswith("value-only line: 'Soap' in Sales voucher '8' of 2021-01-01 has an amount")

    lines = loaded_lines(lake, outcome)
    assert Counter(lines["line_type"]) == {"sale": 30, "return": 12, "purchase": 86, "purchase_return": 7}
    assert lines["voucher_key"].n_unique() == 108  # vouchers with a loaded line; numbers alone: 30
    ones = lines.filter(pl.col("voucher_number") == "1")
    assert set(ones["base_type"]) == {"Sales", "Credit Note", "Purchase", "Debit Note"}
    assert set(lines["unit"]) == {"Number"} and lines["quantity_flag"].null_count() == lines.height
    crore = lines.filter(pl.col("amount") > 10_000_000).row(0, named=True)
    assert (crore["item_raw"], crore["quantity_units"], crore["rate"], crore["amount"]) == (
        "Computers",
        700,
        46234.0,
        32363800.0,
    )
    assert validations(lake, outcome) == {"amount_within_usual_range": 1}


def test_kesans_preview_totals(tmp_path: Path) -> None:
    skus = pl.DataFrame(
        {"sku_code": ["K1"], "sku_name": ["Soap"], "units_per_case": [1], "ean": [None], "pack_size": [None]},
        schema={
            "sku_code": pl.String,
            "sku_name": pl.String,
            "units_per_case": pl.Int64,
            "ean": pl.String,
            "pack_size": pl.String,
        },
    )
    aliases = pl.DataFrame(
        {
            "distributor_code": ["K01"] * 4,
            "alias": ["Tooth paste", "Tooth Brush", "Computers", "Test item"],
            "sku_code": ["K1"] * 4,
        }
    )
    path = corpus_file("kesans/DayBook.xml")
    totals = preview_file(path, kind="tally_daybook", distributor_code="K01", masters=MasterData(skus, aliases))
    found = totals.as_dict()["totals"]
    assert (found["lines"], found["documents"]) == (135, 108)
    assert found["net_amount"] == round(33_312_207.9 - 31_305.55, 2) and found["purchase_amount"] == 1_672_204.0


def test_jogsaurabh_excel_day_book_agrees_with_its_xml_line_for_line(tmp_path: Path) -> None:
    inbox, lake = tmp_path / "inbox", Lake(tmp_path / "raw")
    _brand_knows(inbox, ["Item 3", "Itm1", "Itm 2"])
    _deliver(inbox, "jogsaurabh/DayBook.xml", "JX")
    _deliver(inbox, "jogsaurabh/DayBook.xlsx", "JE")
    outcomes = {o.distributor_code: o for o in ingest_inbox(inbox, lake) if o.kind == "tally_daybook"}
    assert {c: (o.status, o.rows_read, o.rows_loaded) for c, o in outcomes.items()} == {
        "JX": ("loaded", 3, 3),
        "JE": ("loaded", 3, 3),
    }
    ledger = lake.ledger().filter(pl.col("source_kind") == "tally_daybook")
    assert ledger["rows_skipped"].to_list() == [1, 1]  # voucher 2 (11,111.00) has no stock line
    columns = ["voucher_type", "voucher_number", "voucher_date", "party_name", "item_raw", "sku_code", "quantity"]
    columns += ["quantity_units", "free_units", "rate", "amount", "line_type"]
    xml, excel = (loaded_lines(lake, outcomes[code]).select(columns) for code in ("JX", "JE"))
    assert xml.equals(excel)
    assert xml.select("item_raw", "quantity", "rate", "amount").rows() == [
        ("Item 3", 11.0, 22.0, 242.0),
        ("Itm1", 44.0, 55.0, 2420.0),
        ("Itm 2", 55.0, 3.0, 165.0),
    ]
    excel_rows = loaded_lines(lake, outcomes["JE"])
    assert excel_rows["_sheet"].unique().to_list() == ["Day Book"] and excel_rows["_row_number"].to_list() == [8, 9, 10]
