"""likely_cause on real files: the tiny network loaded without one of a distributor's sales files. The SKUs that file
sold now reconcile outside tolerance (the statement reports less stock than our movements leave), and the mart
names the missing sales file as the likely cause for each of them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sellthrough.pipeline import run_nightly
from tests.pipeline_helpers import copy_network, published_path


def _clean_csv_sales_file(data_dir: Path) -> Path:
    """The largest plain CSV sales file of July that no planted file fault touches."""
    faulted = {f["file"] for f in json.loads((data_dir / "truth" / "file_faults.json").read_text())}
    candidates = [
        p
        for p in (data_dir / "inbox" / "distributor_sales").rglob("*_2026-07-1*.csv")
        if str(p.relative_to(data_dir / "inbox")) not in faulted
    ]
    assert candidates
    return max(candidates, key=lambda p: p.stat().st_size)


@pytest.mark.e2e
def test_a_missing_sales_file_is_named_as_the_likely_cause(tiny_inbox: Path, tmp_path: Path) -> None:
    data_dir = copy_network(tiny_inbox, tmp_path / "net")
    removed = _clean_csv_sales_file(data_dir)
    distributor = removed.parent.name
    truth = pl.read_parquet(data_dir / "truth" / "secondary_lines.parquet")
    in_file = truth.filter(
        (pl.col("file_name") == str(removed.relative_to(data_dir / "inbox"))) & (pl.col("expected") == "loaded")
    )
    assert in_file.height > 0, "the truth names the lines of every file"
    with removed.open(newline="", encoding="utf-8", errors="replace") as handle:
        assert sum(1 for _ in csv.reader(handle)) > 1
    removed.unlink()

    outcome = run_nightly(data_dir)
    assert outcome.success, outcome.failed_steps
    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        recon = con.sql(
            "select sku_code, variance_units, is_within_tolerance, days_without_sales_file, likely_cause "
            "from fct_distributor_stock_reconciliation where distributor_code = ? and period_start = date '2026-07-01'",
            params=[distributor],
        ).pl()
    sold = set(in_file["sku_code"].to_list())
    hit = recon.filter(pl.col("sku_code").is_in(list(sold)) & ~pl.col("is_within_tolerance"))
    assert hit.height >= 1
    assert (hit["variance_units"] < 0).all() and (hit["days_without_sales_file"] > 0).all()
    assert set(hit["likely_cause"].to_list()) == {"missing_sales_file"}
    untouched = recon.filter(~pl.col("sku_code").is_in(list(sold)))
    assert untouched.filter(pl.col("likely_cause") == "missing_sales_file").height == 0
