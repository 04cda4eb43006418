"""The targets and SKU groups masters through the nightly ingest: valid rows load; a row that says two things at
once, names nothing Sellthrough knows, or does not fit the hierarchy is quarantined whole with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from tests.conftest import write_csv
from tests.pos_helpers import BEATS, DISTRIBUTORS, outlet, write_hierarchy

REPS = [
    {"rep_code": "D001-R1", "rep_name": "Asha Patil", "distributor_code": "D001", "phone": "9876543210"},
    {"rep_code": "D002-R1", "rep_name": "Ravi Jadhav", "distributor_code": "D002", "phone": "9876543211"},
]
GROUPS = [
    {"sku_group": "FOCUS", "sku_code": "SKU0001"},
    {"sku_group": "FOCUS", "sku_code": "SKU0002"},
    {"sku_group": "NEW", "sku_code": "SKU0404"},  # no such SKU
]


def target(note: str, **values: str) -> dict:
    row = {
        "month_start": "2026-07-01",
        "distributor_code": "D001",
        "beat_code": "",
        "rep_code": "",
        "brand": "",
        "sku_group": "",
        "measure": "value",
        "target": "100000",
    }
    return {**row, **values, "note": note}


TARGETS = [
    target("rep, all products", rep_code="D001-R1"),
    target("beat, a brand, units", beat_code="D001-B01", brand="Crunchy", measure="units", target="4800"),
    target("distributor, an SKU group", sku_group="FOCUS", measure="units", target="960"),
    target("rep of another distributor", rep_code="D002-R1", measure="units"),
    target("no such beat", beat_code="D001-B99", measure="units"),
    target("rep and beat", rep_code="D001-R1", beat_code="D001-B01", measure="units", month_start="2026-08-01"),
    target("brand and group", brand="Crunchy", sku_group="FOCUS", month_start="2026-08-01"),
    target("not a month's first day", rep_code="D001-R1", month_start="2026-07-15"),
    target("unknown measure", rep_code="D001-R1", measure="cases", month_start="2026-08-01"),
    target("nothing to reach", rep_code="D001-R1", target="0", month_start="2026-09-01"),
    target("unknown brand", brand="Sparkle", month_start="2026-09-01"),
    target("unknown SKU group", sku_group="HERO", month_start="2026-10-01"),
    target("unknown distributor", distributor_code="D404", month_start="2026-10-01"),
]
EXPECTED_QUARANTINE = {
    "rep of another distributor": "broken_hierarchy",
    "no such beat": "unknown_beat",
    "rep and beat": "ambiguous_target",
    "brand and group": "ambiguous_target",
    "not a month's first day": "bad_month",
    "unknown measure": "bad_value",
    "nothing to reach": "bad_value",
    "unknown brand": "unknown_brand",
    "unknown SKU group": "unknown_sku_group",
    "unknown distributor": "unknown_distributor",
}


def _quarantined(lake: Lake, file_name: str) -> pl.DataFrame:
    load = lake.ledger().filter(pl.col("file_name").str.ends_with(file_name))
    return lake.read_table("_quarantine", load["load_id"].to_list())


def _loaded(lake: Lake, table: str) -> pl.DataFrame:
    loads = lake.ledger().filter((pl.col("status") == "loaded") & (pl.col("table_name") == table))
    return lake.read_table(table, loads["load_id"].to_list())


def test_targets_and_groups_load_or_are_quarantined_with_their_reason(inbox: Path, lake: Lake) -> None:
    brand = inbox / "masters" / "BRAND"
    write_hierarchy(inbox, [outlet("O1")])
    write_csv(brand / "reps.csv", REPS)
    write_csv(brand / "sku_groups.csv", GROUPS)
    write_csv(brand / "targets.csv", TARGETS)  # a `note` column the contract does not know: ignored

    outcomes = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=["masters"])}

    targets = outcomes["masters/BRAND/targets.csv"]
    assert (targets.status, targets.rows_read) == ("loaded", len(TARGETS))
    assert targets.rows_quarantined == len(EXPECTED_QUARANTINE)
    notes = {
        t["rep_code"] + t["beat_code"] + t["brand"] + t["sku_group"] + t["month_start"]: t["note"] for t in TARGETS
    }
    quarantined = _quarantined(lake, "targets.csv")
    got = {}
    for raw, code, reason in quarantined.select("raw_values", "reason_code", "reason").iter_rows():
        values = json.loads(raw)
        key = "".join(values.get(c) or "" for c in ("rep_code", "beat_code", "brand", "sku_group", "month_start"))
        got[notes[key]] = code
        assert reason and "  " not in reason, reason
    assert got == EXPECTED_QUARANTINE
    loaded = _loaded(lake, "masters_targets").sort("target")
    assert loaded.select("rep_code", "beat_code", "brand", "sku_group", "measure", "target").rows() == [
        (None, None, None, "FOCUS", "units", 960.0),
        (None, "D001-B01", "Crunchy", None, "units", 4800.0),
        ("D001-R1", None, None, None, "value", 100000.0),
    ]

    groups = outcomes["masters/BRAND/sku_groups.csv"]
    assert (groups.rows_loaded, groups.rows_quarantined) == (2, 1)
    (reason,) = _quarantined(lake, "sku_groups.csv")["reason"].to_list()
    assert "SKU0404" in reason


def test_a_repeated_target_rejects_the_snapshot(inbox: Path, lake: Lake) -> None:
    brand = inbox / "masters" / "BRAND"
    write_csv(brand / "distributors.csv", DISTRIBUTORS)
    write_csv(brand / "beats.csv", BEATS)
    rows = [target("rep", rep_code="D001-R1"), target("rep again", rep_code="D001-R1", target="5")]
    write_csv(brand / "targets.csv", rows)

    outcomes = {o.file_name: o for o in ingest_inbox(inbox, lake, kinds=["masters"])}

    failed = outcomes["masters/BRAND/targets.csv"]
    assert failed.status == "failed"
    assert "month_start_distributor_code_rep_code_beat_code_brand_sku_group_measure_unique" in failed.error
