"""Master validation: identities (EAN, GSTIN, GPS) and the hierarchy (beat of the outlet's own distributor, parent
distributor, region of a state), from CSV and xlsx, through the nightly path. An invalid row is quarantined whole
with its reason; the valid rows load; the generator's planted faults are exactly what is quarantined."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import polars as pl

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from tests.conftest import write_csv
from tests.pos_helpers import DISTRIBUTORS, outlet, write_hierarchy


def _write_xlsx(path: Path, rows: list[dict]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(path)
    return path


def _quarantined(lake: Lake, file_suffix: str) -> dict[str, tuple[str, str]]:
    """key column value -> (reason_code, reason) for one master file's quarantined rows."""
    ledger = lake.ledger().filter(pl.col("file_name").str.ends_with(file_suffix))
    rows = lake.read_table("_quarantine", ledger["load_id"].to_list())
    out = {}
    for raw, code, reason in zip(rows["raw_values"], rows["reason_code"], rows["reason"], strict=True):
        values = json.loads(raw)
        key = values.get("outlet_code") or values.get("sku_code") or values.get("distributor_code")
        out[values.get("store_code", key)] = (code, reason)
    return out


def _loaded(lake: Lake, table: str) -> pl.DataFrame:
    ledger = lake.ledger().filter((pl.col("status") == "loaded") & (pl.col("table_name") == table))
    return lake.read_table(table, ledger["load_id"].to_list())


def test_invalid_master_rows_are_quarantined_whole_with_their_reason(inbox: Path, lake: Lake) -> None:
    brand = inbox / "masters" / "BRAND"
    outlets = [
        outlet("O1"),
        outlet("O2", beat="D002-B01"),  # a beat of another distributor
        outlet("O3", beat="D001-B99"),  # no such beat
        outlet("O4", gstin="27AAPFU0939F1ZX"),  # wrong check character
        outlet("O5", latitude="51.5", longitude="-0.12"),  # London
        outlet("O6", phone="12345"),  # not a mobile: a warning, the outlet loads
        outlet("O7", distributor="D009", beat=""),  # no such distributor
    ]
    write_hierarchy(inbox, outlets[:1])
    (brand / "outlets.csv").unlink()
    _write_xlsx(brand / "outlets.xlsx", outlets)
    os.utime(brand / "outlets.xlsx", (1_000_000, 1_000_000))  # older than its parents: they still load first
    write_csv(
        brand / "distributors.csv",
        [
            *DISTRIBUTORS,
            {**DISTRIBUTORS[0], "distributor_code": "D003", "distributor_name": "C", "region": "West 1"},
            {**DISTRIBUTORS[0], "distributor_code": "D004", "distributor_name": "D", "region": "South 2"},
            {**DISTRIBUTORS[0], "distributor_code": "D005", "distributor_name": "E", "tier": "sub_distributor",
             "parent_distributor_code": "D404"},
        ],
    )  # fmt: skip
    write_csv(
        brand / "skus.csv",
        [
            {"sku_code": "SKU0001", "sku_name": "A", "units_per_case": "12", "ean": "8901234567890"},
            {"sku_code": "SKU0009", "sku_name": "B", "units_per_case": "12", "ean": "8901234567891"},
        ],
    )
    write_csv(
        brand / "chain_stores.csv",
        [
            {"chain_code": "CHAINX", "store_code": "S001", "outlet_code": "O1"},
            {"chain_code": "CHAINX", "store_code": "S002", "outlet_code": "O2"},  # O2 was quarantined
        ],
    )
    outcomes = ingest_inbox(inbox, lake, kinds=["masters"])
    assert all(o.status == "loaded" for o in outcomes)
    assert [o.file_name.rsplit("/", 1)[-1] for o in outcomes][:2] == ["distributors.csv", "skus.csv"]
    for row in lake.ledger().to_dicts():
        assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_deduplicated"]

    assert sorted(_loaded(lake, "masters_outlets")["outlet_code"]) == ["O1", "O6"]
    bad_outlets = _quarantined(lake, "outlets.xlsx")
    assert {k: v[0] for k, v in bad_outlets.items()} == {
        "O2": "broken_hierarchy",
        "O3": "unknown_beat",
        "O4": "bad_gstin",
        "O5": "bad_gps",
        "O7": "unknown_distributor",
    }
    assert "beat D002-B01 belongs to distributor D002, not to the outlet's distributor D001" in bad_outlets["O2"][1]
    assert "outside India" in bad_outlets["O5"][1]

    assert sorted(_loaded(lake, "masters_distributors")["distributor_code"]) == ["D001", "D002", "D003"]
    bad_distributors = _quarantined(lake, "distributors.csv")
    assert bad_distributors["D004"] == (
        "broken_hierarchy",
        "state Maharashtra lies in region West 1 for the other distributors, not South 2",
    )
    assert bad_distributors["D005"][0] == "broken_hierarchy" and "'D404'" in bad_distributors["D005"][1]

    assert _loaded(lake, "masters_skus")["sku_code"].to_list() == ["SKU0001"]
    assert _quarantined(lake, "skus.csv")["SKU0009"][0] == "bad_ean"
    assert _quarantined(lake, "chain_stores.csv") == {
        "S002": ("unknown_outlet", "outlet 'O2' is not in the outlets master")
    }


def test_outlets_alone_are_not_held_to_masters_never_loaded(inbox: Path, lake: Lake) -> None:
    write_csv(inbox / "masters" / "BRAND" / "outlets.csv", [outlet("O1", beat="ANY"), outlet("O2", distributor="D7")])
    [loaded] = [o for o in ingest_inbox(inbox, lake, kinds=["masters"]) if o.file_name.endswith("outlets.csv")]
    assert loaded.status == "loaded" and loaded.rows_loaded == 2 and loaded.rows_quarantined == 0


def test_generated_network_loads_every_valid_outlet_and_quarantines_the_planted_rows(
    tiny_inbox: Path, tmp_path: Path
) -> None:
    lake = Lake(tmp_path / "raw")
    ingest_inbox(tiny_inbox / "inbox", lake, kinds=["masters"])
    planted = json.loads((tiny_inbox / "truth" / "master_faults.json").read_text())
    manifest = json.loads((tiny_inbox / "truth" / "manifest.json").read_text())
    quarantine = lake.read_table("_quarantine", lake.ledger()["load_id"].to_list())
    found = sorted(
        (json.loads(raw).get("outlet_code") or json.loads(raw).get("sku_code"), code)
        for raw, code in zip(quarantine["raw_values"], quarantine["reason_code"], strict=True)
    )
    assert len(planted) == 4
    assert found == sorted((p["key"], p["fault"]) for p in planted)
    first = lake.ledger().filter(pl.col("file_name") == "masters/BRAND/outlets.csv").row(0, named=True)
    assert first["rows_loaded"] == manifest["outlet_master_rows"]
    assert first["rows_quarantined"] == sum(p["entity"] == "outlets" for p in planted)
