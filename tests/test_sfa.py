"""Field-app (SFA) exports: reading JSON lines and CSV, re-synced orders counted once, quarantine reasons,
preview, and (on the tiny generated network) the orders, visit flags and call KPIs against the truth."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.runner import ingest_inbox
from sellthrough.cli import app
from tests.conftest import write_rows
from tests.pipeline_helpers import planted_problems, published_path

T0 = "2026-07-03T10:15:00+05:30"


def _jsonl(path: Path, records: list[dict | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _visit(visit_id: str = "V1", **extra: object) -> dict:
    return {
        "type": "visit",
        "visit_id": visit_id,
        "rep_code": "R1",
        "outlet_code": "O1",
        "lat": 19.07,
        "lon": 72.87,
        "device_time": T0,
        "server_time": "2026-07-03T04:50:00Z",
        "productive": True,
    } | extra


def _line(order: str = "C1", line: int = 1, **extra: object) -> dict:
    return {
        "type": "order_line",
        "client_order_id": order,
        "line_number": line,
        "visit_id": "V1",
        "rep_code": "R1",
        "outlet_code": "O1",
        "sku": "PG100",
        "qty": 48,
        "device_time": T0,
        "server_time": "2026-07-03T18:00:00+05:30",
    } | extra


def _loaded(lake: Lake, table: str) -> pl.DataFrame:
    ledger = lake.ledger().filter(pl.col("status") == "loaded")
    return lake.read_table(table, ledger["load_id"].to_list())


def test_jsonl_export_loads_visits_and_order_lines(inbox: Path, lake: Lake, masters: MasterData) -> None:
    _jsonl(inbox / "sfa" / "D001" / "sync.jsonl", [_visit(), _line(), _line(line=2, sku="Masala Namkeen 200 g")])
    [outcome] = ingest_inbox(inbox, lake, kinds=["sfa"])
    assert (outcome.status, outcome.rows_read, outcome.rows_loaded) == ("loaded", 3, 3)
    visit = _loaded(lake, "sfa_visits").row(0, named=True)
    # a UTC server time becomes India time; the device time's offset is India already
    assert visit["server_time"] == datetime(2026, 7, 3, 10, 20)
    assert visit["device_time"] == datetime(2026, 7, 3, 10, 15)
    assert (visit["latitude"], visit["longitude"], visit["productive"]) == (19.07, 72.87, True)
    lines = _loaded(lake, "sfa_order_lines").sort("line_number")
    assert lines["sku_code"].to_list() == ["SKU0001", "SKU0002"]  # alias PG100, then the master name
    assert lines["quantity_units"].to_list() == [48, 48]
    assert lines["order_date"].dt.to_string("%Y-%m-%d").to_list() == ["2026-07-03", "2026-07-03"]


def test_csv_exports_take_the_record_type_from_the_columns(inbox: Path, lake: Lake, masters: MasterData) -> None:
    folder = inbox / "sfa" / "D001"
    write_rows(
        folder / "visits.csv",
        [
            ["Visit ID", "Rep", "Outlet", "Lat", "Lng", "Device TS", "Server TS"],
            ["V7", "R1", "O1", "19.1", "72.9", "2026-07-04 10:00:00", "2026-07-04 10:02:00"],
        ],
    )
    write_rows(
        folder / "orders.csv",
        [
            ["client_order_id", "visit_id", "rep", "outlet", "sku", "qty", "device_time", "server_time"],
            ["C9", "V7", "R1", "O1", "SKU0001", "24", "2026-07-04 10:05:00", "2026-07-04 10:06:00"],
            ["C9", "V7", "R1", "O1", "SKU0002", "12", "2026-07-04 10:05:00", "2026-07-04 10:06:00"],
        ],
    )
    outcomes = ingest_inbox(inbox, lake, kinds=["sfa"])
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    visits = _loaded(lake, "sfa_visits")
    assert visits["visit_id"].to_list() == ["V7"] and visits["productive"].to_list() == [None]
    lines = _loaded(lake, "sfa_order_lines").sort("line_number")
    assert lines.select("line_number", "sku_code", "quantity_units").rows() == [(1, "SKU0001", 24), (2, "SKU0002", 12)]


def test_an_order_synced_twice_in_one_file_loads_once(inbox: Path, lake: Lake, masters: MasterData) -> None:
    later = "2026-07-04T09:00:00+05:30"
    records = [
        _visit(),
        _line(),
        _line(line=2, qty=5),
        _line(server_time=later),
        _line(line=2, qty=6, server_time=later),
    ]
    _jsonl(inbox / "sfa" / "D001" / "sync.jsonl", [*records, _visit()])
    [outcome] = ingest_inbox(inbox, lake, kinds=["sfa"])
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_deduplicated) == (6, 3, 3)
    row = lake.ledger().row(0, named=True)
    assert row["rows_read"] == row["rows_loaded"] + row["rows_quarantined"] + row["rows_deduplicated"]
    lines = _loaded(lake, "sfa_order_lines").sort("line_number")
    # the latest sync wins: its quantity and its server time
    assert lines["quantity_units"].to_list() == [48, 6]
    assert set(lines["server_time"].to_list()) == {datetime(2026, 7, 4, 9, 0)}


def test_bad_records_are_quarantined_with_reasons(inbox: Path, lake: Lake, masters: MasterData) -> None:
    records = [
        _visit(),
        _line(),
        _line(line=2, sku="Parle Monaco 200g"),
        _line(line=3, qty="2.5"),
        _line(line=4, device_time="31/02/2026 25:61"),
        _line(line=5, qty=0),
        "{not json",
        {"type": "payment", "amount": 10},
        _visit("V2", lat="north", lon=72.8),
    ]
    _jsonl(inbox / "sfa" / "D001" / "sync.jsonl", records)
    [outcome] = ingest_inbox(inbox, lake, kinds=["sfa"])
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined) == (9, 2, 7)
    quarantine = lake.read_table("_quarantine", lake.ledger()["load_id"].to_list()).sort("_row_number")
    reasons = dict(zip(quarantine["_row_number"].to_list(), quarantine["reason_code"].to_list(), strict=True))
    assert reasons == {
        3: "unknown_sku",
        4: "bad_quantity",
        5: "bad_time",
        6: "zero_quantity",
        7: "bad_record",
        8: "unknown_record_type",
        9: "bad_gps",
    }
    text = dict(zip(quarantine["reason_code"].to_list(), quarantine["reason"].to_list(), strict=True))
    assert "add an alias for distributor D001" in text["unknown_sku"] and "closest:" in text["unknown_sku"]
    assert "'31/02/2026 25:61'" in text["bad_time"]
    assert "'2.5'" in text["bad_quantity"]


def test_an_order_booked_ahead_keeps_its_delivery_date(inbox: Path, lake: Lake, masters: MasterData) -> None:
    records = [
        _line(delivery_date="2026-07-06"),  # a PO booked on 07-03 for the 6th
        _line("C2", due_date="2026-07-05T00:00:00"),  # another app's name, a timestamp
        _line("C3"),  # an order for the same day: none
        _line("C4", delivery_date="next monday"),
    ]
    _jsonl(inbox / "sfa" / "D001" / "orders.jsonl", records)
    [outcome] = ingest_inbox(inbox, lake, kinds=["sfa"])
    assert (outcome.rows_loaded, outcome.rows_quarantined) == (3, 1)
    lines = _loaded(lake, "sfa_order_lines").sort("client_order_id")
    assert lines["delivery_date"].to_list() == [date(2026, 7, 6), date(2026, 7, 5), None]
    assert (lines["order_date"] == date(2026, 7, 3)).all()
    quarantine = lake.read_table("_quarantine", lake.ledger()["load_id"].to_list())
    assert quarantine["reason_code"].to_list() == ["bad_date"]
    assert "'next monday'" in quarantine["reason"][0]


def test_an_outlet_missing_from_the_distributors_master_is_quarantined(inbox: Path, lake: Lake) -> None:
    write_rows(
        inbox / "masters" / "BRAND" / "outlets.csv",
        [["outlet_code", "outlet_name", "distributor_code"], ["O1", "Sharma Kirana", "D001"]],
    )
    _jsonl(inbox / "sfa" / "D001" / "sync.jsonl", [_visit(), _visit("V2", outlet_code="O404"), _line()])
    _jsonl(inbox / "sfa" / "D002" / "sync.jsonl", [_visit(outlet_code="O404")])  # D002 has no outlet master yet
    outcomes = {o.distributor_code: o for o in ingest_inbox(inbox, lake) if o.kind == "sfa"}
    assert (outcomes["D001"].rows_loaded, outcomes["D001"].rows_quarantined) == (2, 1)
    assert (outcomes["D002"].rows_loaded, outcomes["D002"].rows_quarantined) == (1, 0)
    quarantine = lake.read_table("_quarantine", [outcomes["D001"].load_id])
    assert quarantine["reason_code"].to_list() == ["unknown_outlet"]
    assert "'O404' is not in the outlet master for distributor D001" in quarantine["reason"][0]


def test_preview_json_of_an_sfa_export(inbox: Path, tmp_path: Path) -> None:
    ingest_inbox(inbox, Lake(tmp_path / "raw"), kinds=["masters"])  # the data folder's masters, as the night's
    path = _jsonl(tmp_path / "export.jsonl", [_visit(), _line(), _line(), _line(line=2, qty="x")])
    args = ["preview", str(path), "--kind", "sfa", "--distributor", "D001", "--json", "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["kind"] == "sfa"
    assert (report["rows_read"], report["rows_loaded"], report["rows_quarantined"], report["rows_deduplicated"]) == (
        4,
        2,
        1,
        1,
    )
    assert report["quarantine_reasons"] == {"bad_quantity": 1}
    assert report["totals"]["visits"] == 1 and report["totals"]["order_lines"] == 1
    assert report["totals"]["date_min"] == "2026-07-03"


def test_a_csv_that_is_not_an_sfa_export_is_refused(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "outlets.csv", [["outlet_code", "latitude"], ["O1", "19.0"]])
    result = CliRunner().invoke(app, ["preview", str(path), "--kind", "sfa", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == "header_not_found"


def test_generated_exports_never_tell_a_chat_order_twice(tiny_inbox: Path) -> None:
    sfa = tiny_inbox / "inbox" / "sfa"
    chats = {p.name for p in (tiny_inbox / "inbox" / "whatsapp").iterdir()}
    field = {p.name for p in sfa.iterdir()}
    assert field and not field & chats  # a distributor uses the app or the chats, never both
    suffixes = {p.suffix for p in sfa.rglob("*.*")}
    assert suffixes == {".jsonl", ".csv"}
    truth = pl.read_parquet(tiny_inbox / "truth" / "sfa_orders.parquet")
    assert truth.filter(pl.col("syncs") > 1).height > 0
    # every order line of the truth is in an export, under its client order id
    sent = "".join(p.read_text() for p in sfa.rglob("*.*"))
    assert all(order in sent for order in truth["client_order_id"].unique().to_list())


# --- on the tiny generated network, against the truth -----------------------------------------------------------
def _mart(network: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(published_path(network)), read_only=True) as con:
        return con.sql(sql).pl()


@pytest.mark.e2e
def test_field_app_orders_count_once_across_files(tiny_network: Path) -> None:
    truth = pl.read_parquet(tiny_network / "truth" / "sfa_orders.parquet").filter(pl.col("expected") == "loaded")
    raw = pl.read_parquet(tiny_network / "raw" / "sfa_order_lines" / "L*.parquet")
    synced = raw.group_by("distributor_code", "client_order_id").agg(pl.col("_load_id").n_unique().alias("files"))
    assert synced.filter(pl.col("files") > 1).height > 0  # re-synced orders sit in two loads
    orders = _mart(
        tiny_network,
        "select distributor_code, order_id as client_order_id, order_line_number::int as line_number, sku_code, "
        "quantity_units from fct_secondary_orders where origin = 'field_app'",
    )
    columns = ["distributor_code", "client_order_id", "line_number", "sku_code", "quantity_units"]
    expected = truth.select(columns).with_columns(pl.col("line_number").cast(pl.Int32))
    assert orders.cast({"line_number": pl.Int32}).sort(columns).to_dicts() == expected.sort(columns).to_dicts()


@pytest.mark.e2e
def test_far_and_skewed_visits_are_flagged_not_dropped(tiny_network: Path) -> None:
    truth = pl.read_parquet(tiny_network / "truth" / "sfa_visits.parquet")
    flagged = pl.read_parquet(tiny_network / "truth" / "sfa_flagged_visits.parquet")
    visits = _mart(tiny_network, "select visit_id, is_far_from_outlet, is_clock_skewed, distance_m from fct_visits")
    assert visits.height == truth.height
    assert flagged.height > 0
    far = set(visits.filter("is_far_from_outlet")["visit_id"].to_list())
    skewed = set(visits.filter("is_clock_skewed")["visit_id"].to_list())
    assert far == set(flagged.filter("far_from_outlet")["visit_id"].to_list())
    assert skewed == set(flagged.filter("clock_skewed")["visit_id"].to_list())
    assert visits.filter(~pl.col("is_far_from_outlet"))["distance_m"].max() < 300


@pytest.mark.e2e
def test_planted_bad_lines_are_quarantined(tiny_network: Path) -> None:
    truth = pl.read_parquet(tiny_network / "truth" / "sfa_orders.parquet").filter(pl.col("expected") == "quarantined")
    quarantined = _mart(tiny_network, "select reason_code from ops.fct_quarantined_rows where source_kind = 'sfa'")
    assert sorted(quarantined["reason_code"].to_list()) == sorted(truth["fault"].to_list())


@pytest.mark.e2e
def test_call_productivity_equals_the_truth(tiny_network: Path) -> None:
    keys = ["distributor_code", "rep_code", "beat_code", "month_start"]
    truth = (
        pl.read_parquet(tiny_network / "truth" / "sfa_visits.parquet")
        .group_by(keys)
        .agg(
            calls=pl.len().cast(pl.Int64),
            productive_calls=pl.col("productive").sum().cast(pl.Int64),
            order_lines=pl.col("order_lines").sum(),
        )
        .with_columns(
            productive_call_pct=(pl.col("productive_calls") / pl.col("calls")).round(4),
            lines_per_call=(pl.col("order_lines") / pl.col("calls")).round(4),
        )
        .sort(keys)
    )
    kpi = _mart(
        tiny_network,
        "select distributor_code, rep_code, beat_code, month_start, calls, productive_calls, "
        "order_lines::bigint as order_lines, productive_call_pct, lines_per_call from kpi_call_productivity",
    ).sort(keys)
    assert truth.height > 0
    assert kpi.select(truth.columns).to_dicts() == truth.to_dicts()


@pytest.mark.e2e
def test_field_app_orders_feed_fill_rate_but_add_no_sales(tiny_network: Path) -> None:
    field = pl.read_parquet(tiny_network / "truth" / "sfa_visits.parquet")["distributor_code"].unique().to_list()
    rows = _mart(
        tiny_network,
        "select t.distributor_code, t.origin, sum(t.net_units)::bigint as units from fct_sell_through_daily as t "
        "group by all",
    ).filter(pl.col("distributor_code").is_in(field))
    invoiced = _mart(
        tiny_network,
        "select distributor_code, sum(signed_quantity_units)::bigint as units from fct_secondary_sales group by all",
    ).filter(pl.col("distributor_code").is_in(field))
    # sell-through of a field-app distributor is its invoices: the app's orders are the same sales, not more
    assert set(rows["origin"].to_list()) == {"invoice"}
    assert dict(rows.select("distributor_code", "units").iter_rows()) == dict(invoiced.iter_rows())
    fill = _mart(tiny_network, "select distributor_code, order_lines, units_fill_rate from kpi_fill_rate")
    fill = fill.filter(pl.col("distributor_code").is_in(field))
    assert sorted(fill["distributor_code"].unique().to_list()) == sorted(field)
    # a rep padding his orders with lines nobody invoices (issue 17's gamed_orders) drags his distributor's fill rate
    padded = {r["distributor_code"] for r in planted_problems(tiny_network).get("gamed_orders", [])}
    assert fill.filter(~pl.col("distributor_code").is_in(padded))["units_fill_rate"].min() > 0.9
    assert fill.filter(pl.col("distributor_code").is_in(padded))["units_fill_rate"].max() < 0.9
