"""Distributor layouts (ingest/core/layouts.py) on files the tests write, through the nightly path: positions for a
headerless file, per-file-type sections, `ignore:`, `auto_map: false`, Devanagari and Hinglish headers and totals
words, the deployment's layouts beside the inbox (data/config/layouts), and the example layout shipped in the
repository (ingest/distributor_sales/layouts/EXAMPLE.yml)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest
import yaml

from ingest.core.errors import FileRejected
from ingest.core.headers import normalise_header
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.runner import ingest_inbox
from tests.conftest import write_rows

SALES = "distributor_sales"


def _loaded(lake: Lake) -> pl.DataFrame:
    loads = lake.ledger().filter((pl.col("status") == "loaded") & (pl.col("source_kind") == SALES))
    return lake.read_table("secondary_sales", loads["load_id"].to_list())


def _layout(inbox: Path, code: str, layout: dict) -> None:
    """The deployment's layout for a distributor: `<data dir>/config/layouts/distributor_sales/<code>.yml`."""
    path = inbox.parent / "config" / "layouts" / SALES / f"{code}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(layout, allow_unicode=True), encoding="utf-8")


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


QUICK_EXPORT = [
    ["D009 quick export 06.07.2026 to 12.07.2026"],
    ["06.07.2026", "Q1", "C01", "Sharma Kirana", "SKU0001", "", "0", "24", "0", "192.00", "RAM", "0.05"],
    ["06.07.2026", "Q1", "C01", "Sharma Kirana", "SKU0002", "", "1", "0", "0", "768.00", "RAM", "0"],
    ["08.07.2026", "Q2", "C02", "Laxmi Stores", "SKU0002", "", "0", "6", "0", "192.00", "RAM", "0.2"],
]
POSITIONS = {
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
}


def test_a_headerless_csv_loads_by_the_positions_of_the_deployment_layout(inbox: Path, lake: Lake) -> None:
    """The layout sits where data/README.md says a deployment keeps its own: config/layouts beside the inbox."""
    write_rows(inbox / SALES / "D009" / "quick_2026-07-06_2026-07-12.csv", QUICK_EXPORT)
    _layout(inbox, "D009", {"csv": {"header": False, "skip_rows": 1, "columns": POSITIONS, "ignore": [12]}})
    [_, _, outcome] = ingest_inbox(inbox, lake)
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("loaded", 3, 3), outcome.error
    rows = _loaded(lake).sort("_row_number")
    assert rows["quantity_units"].to_list() == [24, 24, 6]  # one case of SKU0002 is 24 pieces
    assert rows["_row_number"].to_list() == [2, 3, 4] and set(rows["discount_amount"].to_list()) == {0.0}
    ledger = lake.ledger().filter(pl.col("source_kind") == SALES).row(0, named=True)
    assert (str(ledger["period_start"]), str(ledger["period_end"])) == ("2026-07-06", "2026-07-12")


def test_without_the_layout_a_headerless_csv_is_rejected_naming_what_was_looked_for(inbox: Path, lake: Lake) -> None:
    write_rows(inbox / SALES / "D009" / "quick_2026-07-06_2026-07-12.csv", QUICK_EXPORT)
    [*_, outcome] = ingest_inbox(inbox, lake)
    assert outcome.status == "failed" and "header_not_found" in (outcome.error or "")


def test_a_sheet_key_for_the_workbook_does_not_break_the_same_distributors_csv(inbox: Path, lake: Lake) -> None:
    """One distributor, two file types: the workbook's `sheet:` (top level) and the CSV's own section."""
    _workbook(
        inbox / SALES / "D009" / "dms_2026-07-13_2026-07-19.xlsx",
        {
            "Summary": [["Retailer", "Net Value"], ["Sharma Kirana", 192]],
            "Sales Details": [
                ["Invoice No", "Inv Date", "Retailer", "SKU Code", "Qty Pcs", "Net Value", "Sch Disc"],
                ["X1", "14.07.2026", "Sharma Kirana", "SKU0001", 48, 384.0, 0.05],
            ],
        },
    )
    write_rows(inbox / SALES / "D009" / "quick_2026-07-06_2026-07-12.csv", QUICK_EXPORT)
    csv_section = {"header": False, "skip_rows": 1, "columns": POSITIONS}
    _layout(inbox, "D009", {"sheet": "Sales Details", "ignore": ["Sch Disc"], "csv": csv_section})
    outcomes = {o.file_name.rsplit("/", 1)[-1]: (o.status, o.rows_loaded) for o in ingest_inbox(inbox, lake)}
    assert outcomes["quick_2026-07-06_2026-07-12.csv"] == ("loaded", 3)
    assert outcomes["dms_2026-07-13_2026-07-19.xlsx"] == ("loaded", 1)
    workbook_rows = _loaded(lake).filter(pl.col("invoice_number") == "X1")
    assert workbook_rows["_sheet"].to_list() == ["Sales Details"]
    # `Sch Disc` would map to discount_amount by its synonym ("sch disc"): the layout ignores it
    assert workbook_rows["discount_amount"].to_list() == [0.0] and workbook_rows["net_amount"].to_list() == [384.0]


def test_ignored_and_percent_columns_never_map_to_an_amount(tmp_path: Path) -> None:
    """`Disc %` is a percentage (never `disc`); an ignored header is left out even though a synonym knows it;
    `auto_map: false` reads only what the layout names. The preview shows what was not read."""
    path = write_rows(
        tmp_path / "inbox" / SALES / "D009" / "sales_2026-07-06.csv",
        [
            ["Bill No", "Date", "Item", "Qty", "Disc %", "Sch Disc", "Net Amt"],
            ["B1", "06-07-2026", "SKU0001", "10", "0.2", "0.05", "80"],
        ],
    )
    assert normalise_header("Disc %") == "disc pct"
    layout = tmp_path / "config" / "layouts" / SALES / "D009.yml"
    layout.parent.mkdir(parents=True)
    layout.write_text("ignore: [Sch Disc]\n")
    preview = preview_file(path, masters=MasterData())
    mapping = preview.result.mapping
    assert mapping is not None and "discount_amount" not in mapping.fields
    assert mapping.unmapped == ("Disc %", "Sch Disc (ignored by the layout)")
    named = {"invoice_number": "Bill No", "invoice_date": "Date", "item_name": "Item", "quantity_pieces": "Qty"}
    layout.write_text(yaml.safe_dump({"auto_map": False, "columns": named}))
    mapping = preview_file(path, masters=MasterData()).result.mapping
    assert mapping is not None and sorted(mapping.fields) == [
        "invoice_date",
        "invoice_number",
        "item_name",
        "quantity_pieces",
    ]


@pytest.mark.parametrize(
    ("headers", "total"),
    [
        (["बिल नंबर", "तारीख", "पार्टी", "सामान", "नग", "रकम"], "कुल योग"),
        (["Bill No", "Tarikh", "Party", "Saman", "Nag", "Rakam"], "Kul Yog"),
        (["Challan No", "Dinank", "Grahak", "Vastu", "Adad", "Rashi"], "Kul"),
    ],
    ids=["devanagari", "hinglish", "hinglish-2"],
)
def test_devanagari_and_hinglish_headers_and_totals_rows(
    inbox: Path, lake: Lake, headers: list[str], total: str
) -> None:
    write_rows(
        inbox / SALES / "D001" / "bikri_2026-07-06.txt",
        [
            ["बिक्री रजिस्टर 06/07/26 से 06/07/26"],
            headers,
            ["B1", "6/7/26", "Sharma Kirana", "PG100", "12", " 96.00 "],
            ["B1", "6/7/26", "Sharma Kirana", "Masala Namkeen 200 g", "2", "64.00"],
            [total, "", "", "", "14", "160.00"],
        ],
        encoding="utf-16",
        delimiter="\t",
    )
    [*_, outcome] = ingest_inbox(inbox, lake)
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("loaded", 2, 2), outcome.error
    assert lake.ledger().filter(pl.col("source_kind") == SALES)["rows_skipped"].to_list() == [1]
    assert _loaded(lake)["quantity_units"].sum() == 14


def test_a_shop_named_like_a_totals_word_is_a_line(inbox: Path, lake: Lake) -> None:
    write_rows(
        inbox / SALES / "D001" / "sales_2026-07-06.csv",
        [
            ["Bill No", "Date", "Party", "Item", "Qty", "Amount"],
            ["B1", "06-07-2026", "Kul Yog Traders", "PG100", "12", "96"],
            ["B2", "06-07-2026", "Yog Medical", "PG100", "6", "48"],
            ["Kul Yog", "", "", "", "18", "144"],
        ],
    )
    [*_, outcome] = ingest_inbox(inbox, lake)
    assert (outcome.rows_read, outcome.rows_loaded) == (2, 2)


def test_a_bad_layout_rejects_the_file_naming_the_layout_and_the_key(inbox: Path, lake: Lake) -> None:
    write_rows(
        inbox / SALES / "D009" / "sales_2026-07-06.csv",
        [["Bill No", "Date", "Item", "Qty"], ["B1", "6-7-26", "PG100", "1"]],
    )
    _layout(inbox, "D009", {"columns": {"quantity": 4}})
    [*_, outcome] = ingest_inbox(inbox, lake)
    assert outcome.status == "failed" and "bad_layout" in (outcome.error or "")
    assert "D009.yml" in (outcome.error or "") and "quantity" in (outcome.error or "")
    with pytest.raises(FileRejected, match="position 0"):
        _layout(inbox, "D009", {"csv": {"header": False, "columns": {"invoice_number": 0}}})
        preview_file(inbox / SALES / "D009" / "sales_2026-07-06.csv", masters=MasterData())


def test_the_example_layout_reads_its_workbook_and_its_quick_csv(inbox: Path, lake: Lake) -> None:
    """ingest/distributor_sales/layouts/EXAMPLE.yml, as shipped: a Hindi workbook on its sheet with a header no
    synonym knows, an ignored fraction column and a कुल योग row; a headerless CSV by position; `period: week`."""
    _workbook(
        inbox / SALES / "EXAMPLE" / "bikri.xlsx",
        {
            "Saaransh": [["पार्टी", "कुल रकम"], ["Sharma Kirana", 256]],
            "Bikri": [
                ["बिल नंबर", "दिनांक", "पार्टी", "सामान", "नग", "Sch Disc", "कुल रकम"],
                ["E1", "08/07/26", "Sharma Kirana", "SKU0001", 24, 0.05, 182.4],
                ["E1", "08/07/26", "Sharma Kirana", "SKU0001", 24, 0.05, 182.4],
                ["E2", "09/07/26", "Laxmi Stores", "SKU0002", 2, 0, 64.0],
                ["कुल योग", None, None, None, 50, None, 428.8],
            ],
        },
    )
    write_rows(
        inbox / SALES / "EXAMPLE" / "quick.csv",
        [
            ["EXAMPLE quick export"],
            ["Q1", "14/07/26", "Sharma Kirana", "SKU0001", "48", "364.80", "0.05"],
            ["Q2", "16/07/26", "Laxmi Stores", "SKU0002", "12", "384.00", "0"],
        ],
    )
    outcomes = {o.file_name.rsplit("/", 1)[-1]: o for o in ingest_inbox(inbox, lake) if o.kind == SALES}
    assert {n: (o.status, o.rows_read, o.rows_loaded) for n, o in outcomes.items()} == {
        "bikri.xlsx": ("loaded", 3, 3),
        "quick.csv": ("loaded", 2, 2),
    }
    rows = _loaded(lake)
    assert rows.filter(pl.col("invoice_number") == "E1")["quantity_units"].to_list() == [24, 24]  # both lines
    assert set(rows["discount_amount"].to_list()) == {0.0} and rows["net_amount"].sum() == pytest.approx(1177.6)
    ledger = lake.ledger().filter(pl.col("source_kind") == SALES).sort("file_name")
    # no name or title period: whole weeks of the dates (layout `period: week`)
    assert [(str(s), str(e)) for s, e in ledger.select("period_start", "period_end").rows()] == [
        ("2026-07-06", "2026-07-12"),
        ("2026-07-13", "2026-07-19"),
    ]
