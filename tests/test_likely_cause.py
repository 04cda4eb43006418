"""likely_cause on real files: the tiny network loaded without one of a distributor's sales files. The SKUs that file
sold now reconcile outside tolerance (the statement reports less stock than our movements leave), and the mart
names the missing sales file as the likely cause for each of them."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from sellthrough.pipeline import run_nightly
from tests.pipeline_helpers import copy_network, published_path

JULY = "2026-07-01"


def _plain_sales_file(data_dir: Path) -> Path:
    """The largest mid-July sales file that is not re-sent, duplicated or late (those change what covers a day)."""
    faults = json.loads((data_dir / "truth" / "file_faults.json").read_text())
    changed = {f["file"] for f in faults if f["fault"] in {"duplicate_file", "resent_corrected", "late_file"}}
    candidates = [
        p
        for p in (data_dir / "inbox" / "distributor_sales").rglob("sales_2026-07-1*")
        if str(p.relative_to(data_dir / "inbox")) not in changed and "copy" not in p.name
    ]
    assert candidates
    return max(candidates, key=lambda p: p.stat().st_size)


@pytest.mark.e2e
def test_a_missing_sales_file_is_named_as_the_likely_cause(tiny_inbox: Path, tmp_path: Path) -> None:
    data_dir = copy_network(tiny_inbox, tmp_path / "net")
    removed = _plain_sales_file(data_dir)
    distributor = removed.parent.name
    truth = pl.read_parquet(data_dir / "truth" / "secondary_lines.parquet")
    in_file = truth.filter(
        (pl.col("file_name") == str(removed.relative_to(data_dir / "inbox"))) & (pl.col("expected") == "loaded")
    )
    assert in_file.height > 0, "the truth names the lines of every file"
    removed.unlink()

    outcome = run_nightly(data_dir)
    assert outcome.success, outcome.failed_steps
    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        recon = con.sql(
            "select sku_code, variance_units, is_within_tolerance, days_without_sales_file, likely_cause "
            "from fct_distributor_stock_reconciliation where distributor_code = ? and period_start = date '2026-07-01'",
            params=[distributor],
        ).pl()
    problems = json.loads((data_dir / "truth" / "problems.json").read_text())
    misreported = {  # planted closings misreported on purpose: not this test's subject
        p["sku_code"]
        for p in problems
        if p["problem"] == "stock_discrepancy" and p["distributor_code"] == distributor and p["period_start"] == JULY
    }
    recon = recon.filter(~pl.col("sku_code").is_in(list(misreported)))
    sold = set(in_file["sku_code"].drop_nulls().to_list())
    hit = recon.filter(pl.col("sku_code").is_in(list(sold)) & ~pl.col("is_within_tolerance"))
    assert hit.height >= 1
    assert (hit["variance_units"] < 0).all() and (hit["days_without_sales_file"] > 0).all()
    assert set(hit["likely_cause"].to_list()) == {"missing_sales_file"}
    untouched = recon.filter(~pl.col("sku_code").is_in(list(sold)))
    assert untouched.filter(pl.col("likely_cause") == "missing_sales_file").height == 0
