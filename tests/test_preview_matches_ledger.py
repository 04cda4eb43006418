"""`sellthrough preview` runs exactly what the nightly load runs: for every file the tiny network's night loaded
(or rejected), a preview of the same file, with the masters the night had when it read it, says what the ledger
says: status and error, rows read / loaded / quarantined (per reason) / deduplicated / skipped, and the period."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from ingest.core.errors import FileRejected
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file

pytestmark = pytest.mark.e2e


def _what_the_ledger_says(row: dict, quarantine: pl.DataFrame) -> dict:
    reasons = quarantine.filter(pl.col("_load_id") == row["load_id"])["reason_code"].to_list()
    return {
        "status": row["status"],
        "error_code": row["error_code"],
        "rows": (row["rows_read"], row["rows_loaded"], row["rows_quarantined"], row["rows_deduplicated"]),
        "skipped": row["rows_skipped"],
        "reasons": dict(Counter(reasons)),
        "period": (row["period_start"], row["period_end"]),
    }


def _what_the_preview_says(path: Path, kind: str, masters: MasterData) -> dict:
    try:
        preview = preview_file(path, kind=kind, masters=masters)
    except FileRejected as rejected:
        return {"status": "failed", "error_code": rejected.code, "rows": (0, 0, 0, 0), "skipped": 0, "reasons": {}}
    prepared = preview.prepared
    return {
        "status": "loaded",
        "error_code": None,
        "rows": (prepared.rows_read, prepared.rows_loaded, prepared.rows_quarantined, prepared.rows_deduplicated),
        "skipped": prepared.rows_skipped,
        "reasons": prepared.quarantine_reasons(),
        "period": prepared.period or (None, None),
    }


def test_preview_says_what_the_night_loaded_for_every_file(tiny_network: Path) -> None:
    lake = Lake(tiny_network / "raw")
    ledger = lake.ledger().sort("loaded_at")
    quarantine = pl.read_parquet(lake.root / "_quarantine" / "*.parquet")
    master_loads = ledger.filter(pl.col("source_kind") == "masters")["loaded_at"].to_list()
    masters_by_state: dict[int, MasterData] = {}
    compared: Counter[str] = Counter()
    for row in ledger.iter_rows(named=True):
        # the masters as the night had them when it read this file (it reads again after every master load)
        state = sum(1 for at in master_loads if at < row["loaded_at"])
        if state not in masters_by_state:
            masters_by_state[state] = MasterData.from_lake(lake, loaded_before=row["loaded_at"])
        night = _what_the_ledger_says(row, quarantine)
        preview = _what_the_preview_says(
            tiny_network / "inbox" / row["file_name"], row["source_kind"], masters_by_state[state]
        )
        if night["status"] == "failed":
            night.pop("period")
        assert preview == night, row["file_name"]
        compared[row["source_kind"]] += 1
    # every kind the network sends, masters included, and the shapes the generator writes for the real world
    assert set(compared) == {
        "masters",
        "distributor_sales",
        "primary_sales",
        "stock_statement",
        "scheme_claims",
        "whatsapp",
        "sfa",
        "pos_sales",
        "tally_daybook",
        "retailer_stock",
    }
    assert ledger.filter(pl.col("rows_quarantined") > 0).height > 5
