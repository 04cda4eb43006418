"""`sellthrough status` and the review queue on the tiny generated network: per kind and distributor the last file,
its period, freshness against a configurable cadence, quarantined rows, and the files and names awaiting review
(every planted unknown item among them, in the Python queue and in the fct_review_queue mart alike)."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.reviews import ReviewStore
from ingest.core.runner import ingest_inbox
from ingest.core.values import name_key
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
    # 90 days: the Tally distributor's last CSV is about three weeks older than the others' (it moved to Tally)
    (view / "config" / "cadence.yml").write_text("cadence:\n  distributor_sales: 90\ngrace_days: 0\n")
    relaxed = distributor_status(settings, today=last + timedelta(days=45))
    assert set(relaxed.filter(sales)["expected_every_days"].to_list()) == {90}
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
    skus = [i for i in items if i.review_kind == "sku"]
    assert all(i.occurrences >= 1 and i.example_raw for i in skus)
    # a chat's misspelt SKU gets suggestions; an item the brand does not make (planted, or a field-app test item)
    # may get none: nothing in the master shares its words
    assert all(i.suggestions for i in skus if i.source_kinds == ["whatsapp"])

    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        mart = con.sql(
            "select review_kind, distributor_code, name_key, occurrences from ops.fct_review_queue "
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


def test_confirm_outlet_on_the_network_makes_a_chat_name_an_exact_match(tiny_network: Path, tmp_path: Path) -> None:
    """A chat naming an outlet nobody can match puts the name on the queue; confirming it there makes it exact.
    A name the queue does not hold is refused (a private copy of the lake: the chat is loaded into it)."""
    data = tmp_path / "net"
    shutil.copytree(tiny_network / "raw", data / "raw")
    lake = Lake(data / "raw")
    masters = MasterData.from_lake(lake)
    # a rep of a distributor's order group (the senders master): only they give a chat order context
    senders = pl.read_csv(tiny_network / "inbox" / "masters" / "BRAND" / "chat_senders.csv", infer_schema=False)
    rep, distributor = (
        senders.filter(pl.col("rep_code").is_not_null())
        .sort("distributor_code")
        .select("sender", "distributor_code")
        .row(0)
    )
    outlet = masters.outlets.filter(pl.col("distributor_code") == distributor).sort("outlet_code")["outlet_code"][0]
    name = "Pappu bhaiya wali dukaan"
    assert Catalogue(masters, distributor).match_outlet(name)[1] < 1.0
    chat = data / "inbox" / "whatsapp" / distributor / "WhatsApp Chat with Test Sales Team.txt"
    chat.parent.mkdir(parents=True)
    chat.write_text(f"02/09/2026, 9:30 am - {rep}: Order for {name}:\n2 cs {masters.skus['sku_name'][0]}\n")
    ingest_inbox(data / "inbox", lake, kinds=["whatsapp"])
    assert (distributor, name) in {(i.distributor_code, i.name) for i in review_queue(lake, kind="outlet")}

    command = ["review", "confirm-outlet", "--distributor", distributor, "--data-dir", str(data)]
    refused = CliRunner().invoke(app, [*command, "--name", name, "--outlet", "NOPE"])
    assert refused.exit_code == 2 and "not an outlet of" in refused.output
    unknown = CliRunner().invoke(app, [*command, "--name", "Bablu bhai ki dukaan", "--outlet", outlet])
    assert unknown.exit_code == 2 and f"not on the review queue of {distributor} (outlet names)" in unknown.output
    done = CliRunner().invoke(app, [*command, "--name", name, "--outlet", outlet, "--by", "ravi"])
    assert done.exit_code == 0, done.output
    [row] = ReviewStore(data / "reviews").outlet_aliases().rows(named=True)
    assert (row["distributor_code"], row["alias"], row["outlet_code"], row["decided_by"]) == (
        distributor,
        name,
        outlet,
        "ravi",
    )
    after = MasterData.from_lake(lake)
    assert Catalogue(after, distributor).match_outlet(name.upper()) == (outlet, 1.0)
    assert review_queue(lake, kind="outlet") == []
    assert not (tiny_network / "reviews" / "outlet_aliases.csv").read_text().count(name)


def test_status_judges_against_the_datas_own_day_unless_told_and_says_which(tiny_network: Path, view: Path) -> None:
    settings = Settings.from_env(view)
    ledger = Lake(tiny_network / "raw").ledger()
    loaded = ledger.filter((pl.col("status") == "loaded") & (pl.col("source_kind") != "masters"))
    as_of = min(loaded["period_end"].max(), loaded["received_at"].max().date())
    frame = distributor_status(settings)
    assert set(frame.select("as_of", "as_of_basis").rows()) == {(as_of, "data")}
    sales = frame.filter(pl.col("source_kind") == "distributor_sales")
    assert set(sales["freshness"].to_list()) <= {"fresh", "replaced"}  # the network is judged against itself
    # a distributor that moved to Tally mid-period: its registers stopped, its Day Books carry on (and are fresh)
    moved = set(sales.filter(pl.col("freshness") == "replaced")["distributor_code"])
    tally = frame.filter((pl.col("source_kind") == "tally_daybook") & (pl.col("freshness") == "fresh"))
    assert moved and moved <= set(tally["distributor_code"])
    today = distributor_status(settings, against_today=True)
    assert set(today["as_of_basis"].to_list()) == {"today"} and set(today["as_of"].to_list()) == {date.today()}
    if date.today() > as_of + timedelta(days=40):  # the network ends in the past: against today everything is late
        assert set(today.filter(pl.col("source_kind") == "distributor_sales")["freshness"].to_list()) == {"late"}


def test_status_in_a_pipe_prints_every_column_whole_at_any_width(tiny_network: Path, view: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--data-dir", str(view)], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    title, header, *rows = result.output.splitlines()
    assert title.startswith("Sources by distributor, freshness as of ") and "(the data's latest business date)" in title
    for column in ("kind", "last file", "fresh?", "quar.", "review files", "review names"):
        assert column in header
    frame = distributor_status(Settings.from_env(view))
    assert len(rows) == frame.height and "…" not in result.output
    for line, row in zip(rows, frame.iter_rows(named=True), strict=True):
        assert Path(row["last_file"]).name in line and row["freshness"] in line
        assert line.split()[-1] == str(row["names_to_review"])  # the last column is there, not cut
    against = CliRunner().invoke(app, ["status", "--against-today", "--data-dir", str(view)], env={"COLUMNS": "40"})
    assert f"freshness as of {date.today()} (today)" in against.output
