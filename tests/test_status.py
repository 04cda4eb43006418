"""`sellthrough status` and the review queue on the tiny generated network: per kind and distributor the last file,
its period, freshness against a configurable cadence, quarantined rows, and the files and names awaiting review
(every planted unknown item among them, in the Python queue and in the fct_review_queue mart alike)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.reviews import ReviewStore, name_key
from ingest.whatsapp.orders import Catalogue
from sellthrough.cli import app
from sellthrough.config import Settings
from sellthrough.review_queue import review_queue
from sellthrough.status import COLUMNS, Cadence, distributor_status
from tests.pipeline_helpers import published_path


@pytest.fixture()
def view(tiny_network: Path, tmp_path: Path) -> Path:
    """A data dir that reads the tiny network's lake (a link) but keeps its own config and review decisions."""
    (tmp_path / "raw").symlink_to(tiny_network / "raw", target_is_directory=True)
    return tmp_path


def _planted_unknown_items(network: Path) -> set[tuple[str, str]]:
    faults = json.loads((network / "truth" / "file_faults.json").read_text())
    return {
        (f["distributor_code"], r["value"])
        for f in faults
        if f["fault"] == "unknown_sku"
        for r in f["rows"]
        if r["expected_reason_code"] == "unknown_sku"
    }


def _last_sales_day(network: Path) -> date:
    ledger = Lake(network / "raw").ledger()
    return ledger.filter((pl.col("source_kind") == "distributor_sales") & (pl.col("status") == "loaded"))[
        "period_end"
    ].max()


def test_status_has_the_last_file_period_and_quarantine_of_every_kind_and_distributor(tiny_network: Path) -> None:
    ledger = Lake(tiny_network / "raw").ledger().filter(pl.col("source_kind") != "masters")
    frame = distributor_status(Settings.from_env(tiny_network), today=_last_sales_day(tiny_network))
    assert frame.columns == list(COLUMNS)
    expected = set(ledger.select("source_kind", "distributor_code").unique().rows())
    assert set(frame.select("source_kind", "distributor_code").rows()) == expected
    assert {k for k, _ in expected} >= {"distributor_sales", "stock_statement", "primary_sales"}
    for row in frame.iter_rows(named=True):
        files = ledger.filter(
            (pl.col("source_kind") == row["source_kind"]) & (pl.col("distributor_code") == row["distributor_code"])
        ).sort("received_at", "load_id")
        loaded = files.filter(pl.col("status") == "loaded")
        assert row["last_file"] == files["file_name"][-1]
        assert (row["period_start"], row["period_end"]) == (loaded["period_start"][-1], loaded["period_end"][-1])
        assert row["files"] == files.height and row["rows_quarantined"] == files["rows_quarantined"].sum()


def test_freshness_follows_the_distributor_master_cadence_and_the_config_file(tiny_network: Path, view: Path) -> None:
    last = _last_sales_day(tiny_network)
    settings = Settings.from_env(view)
    sales = pl.col("source_kind") == "distributor_sales"
    lake = Lake(tiny_network / "raw")
    snapshot = lake.ledger().filter(pl.col("table_name") == "masters_distributors")["load_id"].to_list()
    cadences = dict(
        lake.read_table("masters_distributors", snapshot[-1:]).select("distributor_code", "sales_file_cadence").rows()
    )
    next_day = distributor_status(settings, today=last + timedelta(days=1)).filter(sales)
    assert next_day.height >= 4
    for code, every in next_day.select("distributor_code", "expected_every_days").rows():
        assert every == {"daily": 1, "weekly": 7}[cadences[code]]
    on_time = next_day.filter(pl.col("days_behind") <= pl.col("expected_every_days") + 2)
    assert on_time.height > 0 and set(on_time["freshness"].to_list()) == {"fresh"}

    later = distributor_status(settings, today=last + timedelta(days=45))
    assert set(later.filter(sales)["freshness"].to_list()) == {"late"}
    assert set(later.filter(pl.col("source_kind") == "stock_statement")["freshness"].to_list()) == {"late"}

    (view / "config").mkdir()
    (view / "config" / "cadence.yml").write_text("cadence:\n  distributor_sales: 60\ngrace_days: 0\n")
    relaxed = distributor_status(settings, today=last + timedelta(days=45))
    assert set(relaxed.filter(sales)["expected_every_days"].to_list()) == {60}
    assert set(relaxed.filter(sales)["freshness"].to_list()) == {"fresh"}
    (view / "config" / "cadence.yml").write_text("cadence:\n  distributor_sales: soon\n")
    with pytest.raises(ValueError, match="cadence of distributor_sales is 'soon'"):
        Cadence.load(view / "config")


def test_every_planted_unknown_item_awaits_review_in_the_queue_the_mart_and_status(tiny_network: Path) -> None:
    planted = _planted_unknown_items(tiny_network)
    assert planted
    items = review_queue(Lake(tiny_network / "raw"))
    queued = {(i.distributor_code, i.name) for i in items if i.review_kind == "sku"}
    assert planted <= queued
    assert all(i.suggestions and i.occurrences >= 1 and i.example_raw for i in items if i.review_kind == "sku")

    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        mart = con.sql(
            "select review_kind, distributor_code, name_key, occurrences from fct_review_queue "
            "where review_status = 'pending'"
        ).fetchall()
    python = {(i.review_kind, i.distributor_code, name_key(i.name), i.occurrences) for i in items}
    assert set(mart) == python

    frame = distributor_status(Settings.from_env(tiny_network), today=_last_sales_day(tiny_network))
    sales = frame.filter(pl.col("source_kind") == "distributor_sales")
    by_distributor = {r["distributor_code"]: r for r in sales.iter_rows(named=True)}
    for distributor in {d for d, _ in planted}:
        names = {n for d, n in planted if d == distributor}
        assert by_distributor[distributor]["names_to_review"] >= len({name_key(n) for n in names})
        assert by_distributor[distributor]["files_to_review"] >= 1
    assert frame["names_to_review"].sum() >= len(items)


def test_a_confirmed_name_leaves_status_and_the_cli_prints_json(tiny_network: Path, view: Path) -> None:
    day = _last_sales_day(tiny_network).isoformat()
    distributor, name = sorted(_planted_unknown_items(tiny_network))[0]
    before = json.loads(CliRunner().invoke(app, ["status", "--json", "--today", day, "--data-dir", str(view)]).output)
    row = next(r for r in before if r["source_kind"] == "distributor_sales" and r["distributor_code"] == distributor)
    assert row["names_to_review"] >= 1 and row["last_file"]

    ReviewStore(view / "reviews").ignore("sku", distributor, name, "not ours", "test")
    after = json.loads(CliRunner().invoke(app, ["status", "--json", "--today", day, "--data-dir", str(view)]).output)
    again = next(r for r in after if r["source_kind"] == "distributor_sales" and r["distributor_code"] == distributor)
    assert again["names_to_review"] == row["names_to_review"] - 1

    table = CliRunner().invoke(app, ["status", "--today", day, "--data-dir", str(view)], env={"COLUMNS": "250"})
    assert table.exit_code == 0 and "review names" in table.output and distributor in table.output


def test_confirm_outlet_on_the_network_makes_a_chat_name_an_exact_match(tiny_network: Path, view: Path) -> None:
    masters = MasterData.from_lake(Lake(view / "raw"))
    outlet, distributor = masters.outlets.sort("outlet_code").select("outlet_code", "distributor_code").row(0)
    name = "Pappu bhaiya wali dukaan"
    assert Catalogue(masters, distributor).match_outlet(name)[1] < 1.0
    command = ["review", "confirm-outlet", "--distributor", distributor, "--name", name, "--data-dir", str(view)]
    refused = CliRunner().invoke(app, [*command, "--outlet", "NOPE"])
    assert refused.exit_code == 2 and "not an outlet of" in refused.output
    done = CliRunner().invoke(app, [*command, "--outlet", outlet, "--by", "ravi"])
    assert done.exit_code == 0, done.output
    [row] = ReviewStore(view / "reviews").outlet_aliases().rows(named=True)
    assert (row["distributor_code"], row["alias"], row["outlet_code"], row["decided_by"]) == (
        distributor,
        name,
        outlet,
        "ravi",
    )
    after = MasterData.from_lake(Lake(view / "raw"))
    assert Catalogue(after, distributor).match_outlet(name.upper()) == (outlet, 1.0)
    assert not (tiny_network / "reviews" / "outlet_aliases.csv").read_text().count(name)
