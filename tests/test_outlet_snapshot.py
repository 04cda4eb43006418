"""Outlet history (SCD type 2): the dbt snapshot of the outlet master and dim_outlet_history, run as `dbt build`
runs it, twice on the same data and after an outlet moves beat and distributor; and the facts that place a sale,
order, visit, POS sale or scheme redemption on the beat in force on its date (int_outlets__versions)."""

from __future__ import annotations

import csv
import json
import os
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from orchestration.pipeline import run_nightly
from sellthrough.config import Settings
from tests.conftest import write_csv
from tests.pipeline_helpers import copy_network
from tests.pos_helpers import outlet, run_dbt, write_hierarchy


def _history(data_dir: Path) -> pl.DataFrame:
    with duckdb.connect(str(Settings.from_env(data_dir).warehouse_path), read_only=True) as con:
        return con.sql(
            "select outlet_code, distributor_code, beat_code, valid_from, valid_to, is_current, master_received_at, "
            "effective_from, effective_to from dim_outlet_history order by outlet_code, valid_from"
        ).pl()


def _snapshot(inbox: Path, name: str, rows: list[dict], received: date) -> None:
    path = inbox / "masters" / "BRAND" / name
    write_csv(path, rows)
    stamp = time.mktime(received.timetuple())
    os.utime(path, (stamp, stamp))


def _build_twice(data_dir: Path) -> None:
    ingest_inbox(data_dir / "inbox", Lake(data_dir / "raw"), kinds=["masters"])
    for _ in range(2):  # the same data snapshotted again adds nothing
        run_dbt(data_dir, "build", "--select", "+dim_outlet_history", "--indirect-selection", "cautious")


def _one_current_row_per_outlet(history: pl.DataFrame) -> None:
    current = history.group_by("outlet_code").agg(pl.col("is_current").sum().alias("n"))
    assert current["n"].max() <= 1
    assert history.filter(pl.col("is_current"))["valid_to"].null_count() == history["is_current"].sum()


def test_a_moved_outlet_keeps_its_history_with_one_current_row(inbox: Path) -> None:
    data_dir = inbox.parent
    write_hierarchy(inbox, [outlet("O1")])
    _snapshot(inbox, "outlets.csv", [outlet("O1"), outlet("O2")], date(2026, 7, 1))
    _build_twice(data_dir)
    first = _history(data_dir)
    assert first["outlet_code"].to_list() == ["O1", "O2"] and first["is_current"].all()
    _one_current_row_per_outlet(first)

    moved = [outlet("O1", beat="D002-B01", distributor="D002"), outlet("O2", outlet_name="Store O2 (renamed)")]
    _snapshot(inbox, "outlets_2026-08-01.csv", moved, date(2026, 8, 1))
    _build_twice(data_dir)
    history = _history(data_dir)
    _one_current_row_per_outlet(history)
    o1 = history.filter(pl.col("outlet_code") == "O1").to_dicts()
    assert len(o1) == 2
    assert [(r["distributor_code"], r["beat_code"], r["is_current"]) for r in o1] == [
        ("D001", "D001-B01", False),
        ("D002", "D002-B01", True),
    ]
    assert o1[0]["valid_to"] == o1[1]["valid_from"]  # no gap, no overlap
    assert o1[1]["master_received_at"].date() == date(2026, 8, 1)
    # in business time the first version holds from the start, the next from its file's date
    assert [(r["effective_from"], r["effective_to"]) for r in o1] == [
        (date(1900, 1, 1), date(2026, 8, 1)),
        (date(2026, 8, 1), None),
    ]
    # a name is not a placement: O2 keeps one version
    assert history.filter(pl.col("outlet_code") == "O2").height == 1

    _snapshot(inbox, "outlets_2026-09-01.csv", [moved[0]], date(2026, 9, 1))  # O2 leaves the master
    _build_twice(data_dir)
    history = _history(data_dir)
    _one_current_row_per_outlet(history)
    assert history.filter(pl.col("is_current"))["outlet_code"].to_list() == ["O1"]
    assert history.height == 3


def test_dagster_dbt_build_includes_the_snapshot() -> None:
    from orchestration.dbt import sellthrough_dbt_assets

    names = {key.path[-1] for key in sellthrough_dbt_assets.keys}
    assert {"snp_masters__outlets", "dim_outlet_history", "fct_pos_sales"} <= names


@pytest.mark.e2e
def test_generated_outlet_move_has_history_across_two_nights(tiny_inbox: Path, tmp_path: Path) -> None:
    """Two nightly runs, before and after the generator's mid-period outlets snapshot: the moved outlet has two
    versions, every other outlet one, and each outlet exactly one current row."""
    data_dir = copy_network(tiny_inbox, tmp_path / "network")
    [move] = json.loads((data_dir / "truth" / "outlet_moves.json").read_text())
    moved_on = date.fromisoformat(move["on"])
    assert run_nightly(data_dir, run_date=moved_on - timedelta(days=1)).success
    assert run_nightly(data_dir).success
    with duckdb.connect(str(data_dir / "published" / "sellthrough.duckdb"), read_only=True) as con:
        history = con.sql("select * from dim_outlet_history order by outlet_code, valid_from").pl()
        current_beat = con.execute(
            "select beat_code from dim_outlet where outlet_code = ?", [move["outlet_code"]]
        ).fetchall()
    _one_current_row_per_outlet(history)
    versions = history.group_by("outlet_code").len()
    assert versions.filter(pl.col("len") > 1)["outlet_code"].to_list() == [move["outlet_code"]]
    mover = history.filter(pl.col("outlet_code") == move["outlet_code"])
    assert mover["beat_code"].to_list() == [move["from_beat"], move["to_beat"]]
    assert mover["is_current"].to_list() == [False, True]
    assert mover["effective_from"].to_list() == [date(1900, 1, 1), moved_on]  # business time: the file's date
    assert mover["effective_to"].to_list() == [moved_on, None]
    assert current_beat == [(move["to_beat"],)]
    _facts_carry_the_beat_of_their_date(data_dir)


def _before_and_after(con: duckdb.DuckDBPyConnection, query: str, params: list) -> list[tuple]:
    """(before the move, beat) pairs a query returns, each once, in order."""
    return sorted({tuple(row) for row in con.execute(query, params).fetchall()})


def _facts_carry_the_beat_of_their_date(data_dir: Path) -> None:
    """The generator's moved outlet: its invoice lines, sell-through days, WhatsApp order lines and scheme
    redemptions dated before the move carry the beat it left, those from the move on the beat it moved to; its
    identity stays the current one."""
    [move] = json.loads((data_dir / "truth" / "outlet_moves.json").read_text())
    moved_on = date.fromisoformat(move["on"])
    code = move["outlet_code"]
    both = [(False, move["to_beat"]), (True, move["from_beat"])]
    with duckdb.connect(str(data_dir / "published" / "sellthrough.duckdb"), read_only=True) as con:
        lines = _before_and_after(
            con, "select invoice_date < ?, beat_code from fct_secondary_sales where outlet_code = ?", [moved_on, code]
        )
        days = _before_and_after(
            con,
            "select sale_date < ?, beat_code from fct_sell_through_daily "
            "where outlet_id = (select master_outlet_id from dim_outlet where outlet_code = ?)",
            [moved_on, code],
        )
        orders = _before_and_after(
            con, "select order_date < ?, beat_code from fct_secondary_orders where outlet_code = ?", [moved_on, code]
        )
        # a redemption (scheme x outlet x month) sits on the beat of its last eligible sale in the month
        redemptions = con.execute(
            "select last_sale < ?, redemptions.beat_code, schemes.end_date >= ? "
            "from fct_scheme_redemption as redemptions "
            "inner join (select scheme_code, distributor_code, outlet_code, "
            "    date_trunc('month', invoice_date)::date as claim_month, max(invoice_date) as last_sale "
            "    from intermediate.int_secondary_sales__scheme_earnings group by all) as earned "
            "    using (scheme_code, distributor_code, outlet_code, claim_month) "
            "inner join dim_scheme as schemes using (scheme_code) "
            "where redemptions.outlet_code = ?",
            [moved_on, moved_on, code],
        ).fetchall()
        identities = con.execute(
            "select distinct master_outlet_id from fct_secondary_sales where outlet_code = ? "
            "union select distinct master_outlet_id from fct_secondary_orders where outlet_code = ? "
            "union select distinct master_outlet_id from fct_scheme_redemption where outlet_code = ?",
            [code, code, code],
        ).fetchall()
    assert lines == days == orders == both
    assert sorted({(before, beat) for before, beat, _ in redemptions}) == both
    # the last sale decides, not the scheme's end: a scheme running past the move keeps the old beat for the month
    # before it
    assert (True, move["from_beat"], True) in redemptions
    assert identities == [(code,)]  # an outlet without twins is its own master, today as before the move


@pytest.mark.e2e
def test_sales_before_an_outlet_move_keep_its_old_beat_in_one_build(tiny_network: Path) -> None:
    """The tiny network is built in one run, both outlet snapshots loaded at once (the dbt snapshot sees only the
    later): the sales still take the beat in force on their date, from the snapshots' business dates."""
    _facts_carry_the_beat_of_their_date(tiny_network)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.e2e
def test_visits_field_app_orders_and_pos_sales_take_the_beat_of_their_date(tiny_inbox: Path, tmp_path: Path) -> None:
    """The generator moves an outlet of a distributor without the field app. Here the mid-period outlets snapshot
    also moves every chain store (modern-trade outlet) at a field-app distributor that has visits on both sides of
    the move to another beat of its distributor: its generated visits, field-app order lines and POS rows (daily
    and weekly, a week by its first day) before the move keep the old beat, those from the move on take the new
    one, and its master_outlet_id stays today's."""
    data_dir = copy_network(tiny_inbox, tmp_path / "network")
    [move] = json.loads((data_dir / "truth" / "outlet_moves.json").read_text())
    moved_on = date.fromisoformat(move["on"])
    visits = pl.read_parquet(data_dir / "truth" / "sfa_visits.parquet")
    pos = pl.read_parquet(data_dir / "truth" / "pos_sales.parquet")
    visited_both_sides = (
        visits.group_by("outlet_code")
        .agg(before=(pl.col("visit_date") < moved_on).any(), after=(pl.col("visit_date") >= moved_on).any())
        .filter(pl.col("before") & pl.col("after"))["outlet_code"]
    )
    movers = sorted(set(pos["outlet_code"]) & set(visited_both_sides))
    assert movers and set(pos.filter(pl.col("outlet_code").is_in(movers))["date_grain"]) == {"day", "week"}

    masters = data_dir / "inbox" / "masters" / "BRAND"
    beats = _rows(masters / "beats.csv")
    snapshot = masters / f"outlets_{move['on']}.csv"
    delivered = snapshot.stat().st_mtime
    rows = _rows(snapshot)
    placed = {}  # outlet -> (old beat, new beat, distributor)
    for row in rows:
        if row["outlet_code"] in movers:
            others = sorted(
                b["beat_code"]
                for b in beats
                if b["distributor_code"] == row["distributor_code"] and b["beat_code"] != row["beat_code"]
            )
            placed[row["outlet_code"]] = (row["beat_code"], others[0], row["distributor_code"])
            row["beat_code"] = others[0]
    assert sorted(placed) == movers
    with snapshot.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    os.utime(snapshot, (delivered, delivered))  # received when the generator delivered it

    assert run_nightly(data_dir).success
    found, expected = {}, {}
    with duckdb.connect(str(data_dir / "published" / "sellthrough.duckdb"), read_only=True) as con:
        for code, (old, new, distributor) in placed.items():
            found[code] = {
                "visits": _before_and_after(
                    con, "select visit_date < ?, beat_code from fct_visits where outlet_code = ?", [moved_on, code]
                ),
                "field_app_orders": _before_and_after(
                    con,
                    "select order_date < ?, beat_code from fct_secondary_orders "
                    "where origin = 'field_app' and outlet_code = ?",
                    [moved_on, code],
                ),
                "pos": _before_and_after(
                    con,
                    "select sale_date < ?, beat_code || ' ' || distributor_code from fct_pos_sales "
                    "where outlet_code = ?",
                    [moved_on, code],
                ),
                "identities": con.execute(
                    "select distinct master_outlet_id from fct_visits where outlet_code = ? "
                    "union select distinct master_outlet_id from fct_pos_sales where outlet_code = ?",
                    [code, code],
                ).fetchall(),
            }
            expected[code] = {
                "visits": [(False, new), (True, old)],
                "field_app_orders": [(False, new), (True, old)],
                "pos": [(False, f"{new} {distributor}"), (True, f"{old} {distributor}")],
                "identities": [(code,)],
            }
    assert found == expected
