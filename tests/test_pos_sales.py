"""Modern-trade POS sell-out (`ingest/pos_sales`): chain layouts, EAN check digits, store -> outlet mapping,
restatements through dbt, and the generator's two chains end to end."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.runner import ingest_inbox
from sellthrough.config import Settings
from sellthrough.outlets.store import run_outlet_master
from tests.conftest import write_csv, write_rows
from tests.pos_helpers import DISTRIBUTORS, outlet, run_dbt, write_hierarchy

CHAIN = "CHAINX"
DAILY_HEADER = ["Store Code", "EAN", "Article Description", "Bill Date", "Sold Qty", "Net Sales"]


def _masters(inbox: Path) -> None:
    write_hierarchy(inbox, [outlet("O1"), outlet("O2", beat="D001-B02")])
    write_csv(
        inbox / "masters" / "BRAND" / "chain_stores.csv",
        [
            {"chain_code": CHAIN, "store_code": "S001", "outlet_code": "O1"},
            {"chain_code": CHAIN, "store_code": "S002", "outlet_code": "O2"},
        ],
    )


def _delivered(path: Path, when: datetime) -> Path:
    stamp = when.replace(tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _pos_loads(lake: Lake) -> pl.DataFrame:
    return lake.ledger().filter(pl.col("source_kind") == "pos_sales").sort("received_at")


def test_daily_csv_maps_stores_and_eans_and_quarantines_with_reasons(inbox: Path, lake: Lake) -> None:
    _masters(inbox)
    write_rows(
        inbox / "pos_sales" / CHAIN / "sellout_2026-07-06.csv",
        [
            DAILY_HEADER,
            ["S001", "8901234567890", "Crunchy 100g", "06-07-2026", "5", "50.00"],
            ["s002", "08901234567906", "Zing Namkeen", "06-07-2026", "2", "80"],  # GTIN-14, store in lower case
            ["S001", "8901234567891", "Crunchy 100g", "06-07-2026", "1", "10"],  # wrong check digit
            ["S999", "8901234567890", "Crunchy 100g", "06-07-2026", "3", "30"],  # store not in chain_stores
            ["S001", "8.90123E+12", "Crunchy 100g", "06-07-2026", "4", "40"],  # a spreadsheet ate the barcode
            ["Total", "", "", "", "15", "210"],
        ],
    )
    ingest_inbox(inbox, lake)
    [load] = _pos_loads(lake).to_dicts()
    assert load["status"] == "loaded" and load["distributor_code"] == CHAIN
    assert (load["rows_read"], load["rows_loaded"], load["rows_quarantined"], load["rows_skipped"]) == (5, 2, 3, 1)
    assert load["period_start"] == load["period_end"] == date(2026, 7, 6)
    lines = lake.read_table("pos_sales", [load["load_id"]]).sort("outlet_code")
    assert lines.select("chain_code", "store_code", "outlet_code", "sku_code", "units", "date_grain").rows() == [
        (CHAIN, "S001", "O1", "SKU0001", 5, "day"),
        (CHAIN, "s002", "O2", "SKU0002", 2, "day"),
    ]
    assert lines["sales_value"].to_list() == [50.0, 80.0]
    quarantine = lake.read_table("_quarantine", [load["load_id"]]).sort("_row_number")
    assert dict(zip(quarantine["_row_number"], quarantine["reason_code"], strict=True)) == {
        4: "bad_ean",
        5: "unmapped_store",
        6: "bad_ean",
    }
    reasons = quarantine["reason"].to_list()
    assert "'8901234567891' fails its check digit" in reasons[0]
    assert "add a row chain_code=CHAINX, store_code=S999" in reasons[1]
    assert "'8.90123E+12'" in reasons[2]


TILL_HEADER = ["Store", "Bill Date", "Item Code", "Item", "Qty", "Amount"]


def test_a_chain_without_eans_loads_its_till_rows_through_its_product_codes(inbox: Path, lake: Lake) -> None:
    """A bakery chain's till: one row per unit sold (identical rows repeat), its own product codes and no EAN.
    Codes map to SKUs through masters/chain_products (validated: a code for an unknown SKU is quarantined in the
    master); a code the master lacks is quarantined with the row to add; every till row loads, none deduplicated."""
    _masters(inbox)
    write_csv(
        inbox / "masters" / "BRAND" / "chain_products.csv",
        [
            {"chain_code": CHAIN, "product_code": "BUN-01", "sku_code": "SKU0001"},
            {"chain_code": CHAIN, "product_code": "rusk 02", "sku_code": "SKU0002"},
            {"chain_code": CHAIN, "product_code": "CAKE-9", "sku_code": "SKU0404"},  # no such SKU
        ],
    )
    bun = ["S001", "06/07/2026", "BUN-01", "Glucose bun", "1", "10"]
    write_rows(
        inbox / "pos_sales" / CHAIN / "till_2026-07-06.csv",
        [
            TILL_HEADER,
            bun,
            bun,
            bun,
            ["S002", "06/07/2026", "RUSK 02", "Rusk", "1", "40"],  # case and spaces aside
            ["S002", "06/07/2026", "PASTRY-7", "Pastry", "1", "25"],  # not in chain_products
        ],
    )
    outcomes = ingest_inbox(inbox, lake)
    products = next(o for o in outcomes if o.file_name.endswith("chain_products.csv"))
    assert (products.rows_loaded, products.rows_quarantined) == (2, 1)
    [load] = _pos_loads(lake).to_dicts()
    assert (load["rows_read"], load["rows_loaded"], load["rows_quarantined"], load["rows_deduplicated"]) == (5, 4, 1, 0)
    lines = lake.read_table("pos_sales", [load["load_id"]])
    assert lines["ean"].null_count() == lines.height
    by_sku = lines.group_by("sku_code", "product_code").agg(pl.col("units").sum()).sort("sku_code").rows()
    assert by_sku == [("SKU0001", "BUN-01", 3), ("SKU0002", "RUSK 02", 1)]
    quarantine = lake.read_table("_quarantine", [load["load_id"]])
    assert quarantine["reason_code"].to_list() == ["unknown_product"]
    assert "add a row chain_code=CHAINX, product_code=PASTRY-7" in quarantine["reason"][0]


def _weekly_xlsx(path: Path, title: str) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append([])
    sheet.append(["Site No", "Barcode No", "Week Commencing", "Sale Units", "Sale Value (Rs)"])
    sheet.append(["S001", "8901234567890", "2026-W28", 30, 300.0])
    sheet.append(["S002", "8901234567906", datetime(2026, 7, 13), 12, 480.0])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def test_weekly_xlsx_loads_through_its_chain_layout_and_covers_whole_weeks(
    inbox: Path, lake: Lake, tmp_path: Path
) -> None:
    _masters(inbox)
    write_csv(
        inbox / "masters" / "BRAND" / "chain_stores.csv",
        [{"chain_code": c, "store_code": s, "outlet_code": o} for c in ("NOLAYOUT", "WEEKLY") for s, o in
         (("S001", "O1"), ("S002", "O2"))],
    )  # fmt: skip
    _weekly_xlsx(inbox / "pos_sales" / "NOLAYOUT" / "week.xlsx", "NOLAYOUT sell-out")
    _weekly_xlsx(inbox / "pos_sales" / "WEEKLY" / "week.xlsx", "WEEKLY sell-out")
    layouts = tmp_path / "layouts" / "pos_sales"
    layouts.mkdir(parents=True)
    (layouts / "WEEKLY.yml").write_text(
        "columns:\n  store_code: Site No\n  ean: Barcode No\n  units: Sale Units\n  sales_value: Sale Value (Rs)\n"
    )
    ingest_inbox(inbox, lake, extra_layouts_dir=tmp_path / "layouts")
    loads = {row["distributor_code"]: row for row in _pos_loads(lake).to_dicts()}
    assert loads["NOLAYOUT"]["status"] == "failed" and loads["NOLAYOUT"]["error_code"] == "header_not_found"
    weekly = loads["WEEKLY"]
    assert weekly["status"] == "loaded" and weekly["rows_loaded"] == 2
    assert (weekly["period_start"], weekly["period_end"]) == (date(2026, 7, 6), date(2026, 7, 19))
    lines = lake.read_table("pos_sales", [weekly["load_id"]]).sort("sale_date")
    assert lines["sale_date"].to_list() == [date(2026, 7, 6), date(2026, 7, 13)]  # ISO week 28 is its Monday
    assert lines["date_grain"].to_list() == ["week", "week"] and lines["units"].to_list() == [30, 12]


def _daily_file(inbox: Path, name: str, rows: list[list[object]], when: datetime) -> Path:
    return _delivered(write_rows(inbox / "pos_sales" / CHAIN / name, [DAILY_HEADER, *rows]), when)


def _built_through_pos_sales(inbox: Path) -> str:
    """Loads the inbox, runs the outlet master and dbt up to fct_pos_sales: the warehouse's path."""
    data_dir = inbox.parent
    ingest_inbox(inbox, Lake(data_dir / "raw"))
    run_outlet_master(Settings.from_env(data_dir))
    run_dbt(data_dir, "build", "--select", "+fct_pos_sales", "--indirect-selection", "cautious")
    return str(Settings.from_env(data_dir).warehouse_path)


def test_restated_weeks_replace_earlier_figures_in_fct_pos_sales(tmp_path: Path, inbox: Path) -> None:
    """A later file covering a date wins for its chain: the restated week takes the new figures (a row the
    restatement no longer carries is gone), the week it does not cover keeps the first file's."""
    _masters(inbox)
    crunchy, zing = "8901234567890", "8901234567906"
    _daily_file(
        inbox,
        "chainx_2026-07-06_2026-07-19.csv",
        [
            ["S001", crunchy, "Crunchy", "06-07-2026", "5", "50"],
            ["S001", crunchy, "Crunchy", "14-07-2026", "7", "70"],
            ["S002", zing, "Zing", "15-07-2026", "2", "80"],
        ],
        datetime(2026, 7, 20, 6),
    )
    _daily_file(
        inbox,
        "chainx_2026-07-13_2026-07-19.csv",
        [["S001", crunchy, "Crunchy", "14-07-2026", "6", "60"]],
        datetime(2026, 7, 27, 6),
    )
    with duckdb.connect(_built_through_pos_sales(inbox), read_only=True) as con:
        facts = con.sql(
            "select store_code, outlet_code, sku_code, sale_date, units, sales_value, beat_code, distributor_code, "
            "region from fct_pos_sales order by sale_date"
        ).fetchall()
        staged = con.execute("select count(*) from staging.stg_pos_sales__lines").fetchall()[0][0]
    assert staged == 4  # the raw layer keeps both files
    assert facts == [
        ("S001", "O1", "SKU0001", date(2026, 7, 6), 5, 50.0, "D001-B01", "D001", "West 1"),
        ("S001", "O1", "SKU0001", date(2026, 7, 14), 6, 60.0, "D001-B01", "D001", "West 1"),
    ]


def test_a_store_sells_under_the_distributor_and_beat_in_force_on_the_sale_date(inbox: Path) -> None:
    """A chain store is an outlet of the master. O1 moves to a beat of another distributor on 2026-07-10 (a dated
    outlets snapshot): its sale before the move keeps the old distributor and beat, the one after takes the new
    ones (a distributor and its beat always belong together, and the region is that distributor's);
    master_outlet_id stays today's."""
    _masters(inbox)
    elsewhere = [{**d, "region": "West 2"} if d["distributor_code"] == "D002" else d for d in DISTRIBUTORS]
    write_csv(inbox / "masters" / "BRAND" / "distributors.csv", elsewhere)
    _delivered(inbox / "masters" / "BRAND" / "outlets.csv", datetime(2026, 7, 1, 6))
    moved = [outlet("O1", beat="D002-B01", distributor="D002"), outlet("O2", beat="D001-B02")]
    _delivered(write_csv(inbox / "masters" / "BRAND" / "outlets_2026-07-10.csv", moved), datetime(2026, 7, 10, 6))
    crunchy = "8901234567890"
    _daily_file(
        inbox,
        "chainx_2026-07-06_2026-07-19.csv",
        [["S001", crunchy, "Crunchy", "09-07-2026", "5", "50"], ["S001", crunchy, "Crunchy", "10-07-2026", "6", "60"]],
        datetime(2026, 7, 20, 6),
    )
    with duckdb.connect(_built_through_pos_sales(inbox), read_only=True) as con:
        facts = con.sql(
            "select sale_date, outlet_code, master_outlet_id, distributor_code, beat_code, region "
            "from fct_pos_sales order by sale_date"
        ).fetchall()
    assert facts == [
        (date(2026, 7, 9), "O1", "O1", "D001", "D001-B01", "West 1"),
        (date(2026, 7, 10), "O1", "O1", "D002", "D002-B01", "West 2"),
    ]


@pytest.fixture(scope="module")
def generated(tiny_inbox: Path) -> Path:
    return tiny_inbox


def test_generator_writes_three_chain_layouts_with_restatements(generated: Path) -> None:
    files = sorted((generated / "inbox" / "pos_sales").rglob("*.*"))
    chains = {f.parent.name: f.suffix for f in files}
    assert chains == {"SMARTMART": ".csv", "FRESHCO": ".xlsx", "BAKEHOUSE": ".csv"}
    spans = [(f.name.split("_")[-2], f.stem.split("_")[-1]) for f in files]
    assert any((date.fromisoformat(end) - date.fromisoformat(start)).days >= 14 for start, end in spans)
    stores = pl.read_csv(generated / "inbox" / "masters" / "BRAND" / "chain_stores.csv")
    assert set(stores["chain_code"]) == {"SMARTMART", "FRESHCO", "BAKEHOUSE"}
    products = pl.read_csv(generated / "inbox" / "masters" / "BRAND" / "chain_products.csv")
    assert set(products["chain_code"]) == {"BAKEHOUSE"} and products["product_code"].is_unique().all()
    faults = json.loads((generated / "truth" / "pos_faults.json").read_text())
    assert sorted(f["fault"] for f in faults) == ["bad_ean", "bad_ean", "unknown_product"] + ["unmapped_store"] * 3
    # the bakery's till writes one row per unit sold, no EAN: the same line repeats
    till = pl.read_csv(sorted((generated / "inbox" / "pos_sales" / "BAKEHOUSE").glob("*.csv"))[0])
    assert "EAN" not in till.columns and set(till["Qty"]) == {1} and till.is_duplicated().any()


def test_preview_reads_a_chain_workbook_with_its_layout(generated: Path, tmp_path: Path) -> None:
    inbox = generated / "inbox"
    lake = Lake(tmp_path / "raw")
    ingest_inbox(inbox, lake, kinds=["masters"])
    workbook = sorted((inbox / "pos_sales" / "FRESHCO").glob("*.xlsx"))[0]
    preview = preview_file(workbook, kind="pos_sales", masters=MasterData.from_lake(lake)).as_dict()
    assert preview["kind"] == "pos_sales" and preview["rows_quarantined"] == 0
    assert preview["rows_loaded"] == preview["rows_read"] > 0
    assert preview["totals"]["date_grains"] == ["week"] and preview["totals"]["stores"] >= 1
    assert preview["totals"]["quantity"] > 0


def test_preview_without_any_masters_says_what_the_night_would(generated: Path, tmp_path: Path) -> None:
    """On a new machine (no masters loaded) the preview says what the night would do with the file: every line
    quarantined with the master to load named, the columns it read shown, and a warning that no SKU master is
    loaded; the night on an empty lake agrees."""
    workbook = sorted((generated / "inbox" / "pos_sales" / "FRESHCO").glob("*.xlsx"))[0]
    preview = preview_file(workbook, kind="pos_sales", masters=MasterData()).as_dict()
    assert preview["rows_read"] > 0 and preview["rows_loaded"] == 0
    assert preview["rows_quarantined"] == preview["rows_read"]
    assert "no SKU master is loaded" in " ".join(preview["warnings"])
    assert preview["mapping"]["fields"]["ean"] == "Barcode No"
    inbox = tmp_path / "inbox"
    copy = inbox / "pos_sales" / "FRESHCO" / workbook.name
    copy.parent.mkdir(parents=True)
    copy.write_bytes(workbook.read_bytes())
    [night] = ingest_inbox(inbox, Lake(tmp_path / "raw"))
    assert (night.rows_read, night.rows_loaded, night.rows_quarantined) == (
        preview["rows_read"],
        preview["rows_loaded"],
        preview["rows_quarantined"],
    )


@pytest.mark.e2e
def test_generated_chains_end_to_end_equal_the_truth(tiny_network: Path) -> None:
    """The nightly pipeline on the generated network: fct_pos_sales is the truth's latest figure per chain, store,
    article (EAN, or the bakery's product code; its one row per unit summed) and day (restatements applied), and
    the quarantined POS rows are exactly the planted ones."""
    truth = pl.read_parquet(tiny_network / "truth" / "pos_sales.parquet").select(
        "chain_code",
        "store_code",
        "ean",
        "product_code",
        "sale_date",
        "date_grain",
        "outlet_code",
        "sku_code",
        pl.col("units").cast(pl.Int64),
        (pl.col("value_paise") / 100).round(2).alias("sales_value"),
    )
    with duckdb.connect(str(tiny_network / "published" / "sellthrough.duckdb"), read_only=True) as con:
        facts = con.sql(
            f"select {', '.join(truth.columns[:-2])}, units::bigint as units, round(sales_value, 2) as sales_value "
            "from fct_pos_sales"
        ).pl()
        unkeyed = con.execute(
            "select count(*) from fct_pos_sales where master_outlet_id is null or region is null or brand is null"
        ).fetchall()[0][0]
        quarantined = con.sql(
            "select distributor_code as chain_code, reason_code, raw_values from ops.fct_quarantined_rows "
            "where source_kind = 'pos_sales'"
        ).pl()
    assert truth.height > 100 and set(truth["date_grain"]) == {"day", "week"}
    assert facts.sort(truth.columns).equals(truth.sort(truth.columns))
    assert unkeyed == 0
    planted = json.loads((tiny_network / "truth" / "pos_faults.json").read_text())
    found = sorted(
        (chain, code, json.loads(raw)["store_code"])
        for chain, code, raw in quarantined.select("chain_code", "reason_code", "raw_values").rows()
    )
    assert found == sorted((p["chain_code"], p["fault"], p["store_code"]) for p in planted)
