"""A real billing-software invoice export (../shared/corpus/tally/kesans/Invoice(s)_*.csv: 54 columns, 97 lines, 69
invoices) through the nightly path and the preview: every line accounted for, and the two `Soap x 1 @ 30` lines
of INV-000004 (they differ only in a column no field reads, the item's tax) are two lines, not one deduplicated.
Read from the corpus when it exists (never copied into the project)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.preview import preview_file
from ingest.core.runner import ingest_inbox
from tests.conftest import write_csv

# the corpus sits beside the checkout (../shared/corpus from /work/main), or at its machine path
_ROOT = Path(__file__).resolve().parents[1]
CORPUS = (
    next(
        (p for p in (_ROOT.parent / "shared" / "corpus", Path("/work/shared/corpus")) if p.is_dir()),
        Path("/work/shared/corpus"),
    )
    / "tally"
    / "kesans"
)
EXPORTS = sorted(CORPUS.glob("Invoice(s)_*.csv")) if CORPUS.is_dir() else []
ITEMS = ("Soap", "Test item", "Computers", "Tooth paste", "Tooth Brush")


@pytest.mark.skipif(not EXPORTS, reason=f"the real-world corpus is not at {CORPUS} (it is never copied here)")
def test_a_real_invoice_export_loads_every_line_it_can_and_keeps_identical_lines(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    skus = [{"sku_code": f"K{i}", "sku_name": name, "units_per_case": "1"} for i, name in enumerate(ITEMS)]
    write_csv(inbox / "masters" / "BRAND" / "skus.csv", skus)
    target = inbox / "distributor_sales" / "D001" / EXPORTS[0].name
    target.parent.mkdir(parents=True)
    target.write_bytes(EXPORTS[0].read_bytes())
    lake = Lake(tmp_path / "raw")
    [_, outcome] = ingest_inbox(inbox, lake)
    # 97 lines: 9 without an item name (expense lines) and 4 with half a unit are quarantined, with reasons
    assert (outcome.status, outcome.rows_read, outcome.rows_deduplicated) == ("loaded", 97, 0)
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (84, 13)
    lines = lake.read_table("secondary_sales", [outcome.load_id])
    quarantine = lake.read_table("_quarantine", [outcome.load_id])
    invoices = pl.concat([lines["invoice_number"], quarantine["raw_values"].str.json_path_match("$.invoice_number")])
    assert invoices.n_unique() == 69
    soap = lines.filter(pl.col("invoice_number") == "INV-000004")
    assert soap["quantity_units"].to_list() == [1, 1] and soap["rate"].to_list() == [30.0, 30.0]
    # the preview, with the masters the night had, says the same
    masters = MasterData.from_lake(lake, loaded_before=_loaded_at(lake, outcome.load_id))
    prepared = preview_file(target, masters=masters).prepared
    assert (prepared.rows_read, prepared.rows_loaded, prepared.rows_deduplicated) == (97, 84, 0)
    assert prepared.quarantine_reasons() == dict(Counter(quarantine["reason_code"].to_list()))
    assert prepared.quarantine_reasons() == {"missing_value": 9, "bad_quantity": 4}


def _loaded_at(lake: Lake, load_id: str | None) -> datetime:
    return lake.ledger().filter(pl.col("load_id") == load_id)["loaded_at"][0]
