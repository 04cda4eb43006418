"""The dashboard survives the nightly publish: after the atomic swap the next run reads the new night, whole, while a
run already under way finishes on the old one; never an error, never half of each. Read-only, external access off.
And the drill state's URL parameters: untrusted values only ever bound."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.drill import DrillState
from dashboard.server import APP
from dashboard.warehouse import NoPublishedWarehouse, Warehouse
from sellthrough.publish import publish_warehouse
from tests.pipeline_helpers import published_path


def write_night(path: Path, night: int) -> Path:
    """A small warehouse whose every table says which night it is."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create table sales as select ? as night, range as line from range(1000)", [night])
        con.execute("create table stock as select ? as night", [night])
    return path


def test_the_next_run_after_a_publish_reads_the_new_night(tmp_path: Path) -> None:
    published = tmp_path / "published" / "sellthrough.duckdb"
    publish_warehouse(write_night(tmp_path / "build.duckdb", 1), published)
    warehouse = Warehouse(published)
    with warehouse.session() as running:  # a page run under way when the publish lands
        assert running.value("select max(night) from sales") == 1
        publish_warehouse(write_night(tmp_path / "build.duckdb", 2), published)
        with warehouse.session() as next_run:
            assert next_run.value("select max(night) from sales") == 2
            assert next_run.value("select night from stock") == 2
        # the run under way finishes on its own night: no error, no half of each
        assert running.value("select night from stock") == 1
        assert running.value("select max(night) from sales") == 1
        assert warehouse.open_nights() == 2
    assert warehouse.open_nights() == 1  # the old night is closed once nobody reads it
    with warehouse.session() as later:
        assert later.value("select max(night) from sales") == 2  # the cache is per night


def test_sessions_on_many_threads_while_nights_are_published(tmp_path: Path) -> None:
    published = tmp_path / "published" / "sellthrough.duckdb"
    publish_warehouse(write_night(tmp_path / "build.duckdb", 0), published)
    warehouse = Warehouse(published)
    errors: list[BaseException] = []
    mixed: list[tuple[object, object]] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                with warehouse.session() as session:
                    first = session.value("select max(night) from sales")
                    time.sleep(0.005)
                    second = session.value("select night from stock")
                    if first != second:
                        mixed.append((first, second))
        except BaseException as problem:  # any error fails the test below
            errors.append(problem)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for night in range(1, 6):
        time.sleep(0.05)
        publish_warehouse(write_night(tmp_path / "build.duckdb", night), published)
    time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors and not mixed
    with warehouse.session() as session:
        assert session.value("select night from stock") == 5
    assert warehouse.open_nights() == 1


def test_a_night_is_read_only_with_external_access_off(tmp_path: Path) -> None:
    published = tmp_path / "published" / "sellthrough.duckdb"
    publish_warehouse(write_night(tmp_path / "build.duckdb", 1), published)
    outside = tmp_path / "secret.csv"
    outside.write_text("a\n1\n")
    with Warehouse(published).session() as session:
        for statement in (
            "create table night.x as select 1",
            "delete from sales",
            f"select * from read_csv('{outside}')",
            f"copy sales to '{tmp_path / 'out.csv'}'",
            "set enable_external_access = true",
            f"attach '{tmp_path / 'other.duckdb'}' as other",
        ):
            with pytest.raises(duckdb.Error):
                session.cursor.execute(statement)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_no_published_file_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "published" / "sellthrough.duckdb"
    with pytest.raises(NoPublishedWarehouse), Warehouse(missing).session():
        pass
    monkeypatch.setenv("SELLTHROUGH_PUBLISHED_PATH", str(missing))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert "no published warehouse" in at.info[0].value


@pytest.mark.e2e
def test_the_dashboard_shows_the_new_night_on_the_next_click(
    tiny_network: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tmp_path / "published" / "sellthrough.duckdb"
    publish_warehouse(published_path(tiny_network), published)
    monkeypatch.setenv("SELLTHROUGH_PUBLISHED_PATH", str(published))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    before = {m.label: m.value for m in at.metric}
    # the next night: the same warehouse with one more rupee of primary sales per distributor this month
    build = tmp_path / "build.duckdb"
    shutil.copyfile(published_path(tiny_network), build)
    build.chmod(0o644)
    with duckdb.connect(str(build)) as con:
        con.execute("update dash_distributor_periods set primary_amount = primary_amount + 100000")
        distributors = con.execute("select count(distinct distributor_code) from dash_distributor_periods").fetchall()
    publish_warehouse(build, published)
    at.run()  # the next click
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    assert after != before and after["Secondary sales"] == before["Secondary sales"]
    side = at.container("table_overview_side_by_side").dataframe[0].value.set_index("measure")
    with duckdb.connect(str(build), read_only=True) as con:
        primary = con.execute(
            "select sum(primary_amount) from dash_distributor_periods where period = 'mtd'"
        ).fetchall()
    assert side.loc["Primary sales (₹)", "this_period"] == pytest.approx(primary[0][0], abs=0.01)
    assert distributors[0][0] > 0


def test_drill_state_from_the_url() -> None:
    state = DrillState.from_query(
        {"period": "l4w", "zone": "West", "state": "Goa", "brand": "Crunchy", "rep": "R1", "by": "x", "junk": "1"}
    )
    assert state.geo == (("zone", "West"),)  # a state without its region ends the path at the zone
    assert state.product == (("brand", "Crunchy"),) and state.filters == (("rep", "R1"),)
    assert state.by == "geo" and state.period == "l4w"
    assert DrillState.from_query(state.to_query()) == state
    assert DrillState.from_query({"period": "'; drop table x; --"}).period == "mtd"
    hostile = "West' or '1'='1"
    where, params = DrillState.from_query({"zone": hostile}).where()
    assert where == "period = ? and zone = ?" and params == ["mtd", hostile]
    deeper = state.drilled("region", "Goa & Konkan")
    assert deeper.next_geo_level == "state" and deeper.group_level == "state"
    assert deeper.up_to_geo(0).geo == () and deeper.without_filter("rep").filters == ()
    at_outlet = DrillState(geo=tuple((lv, "x") for lv in ("zone", "region", "state", "distributor", "beat", "outlet")))
    assert at_outlet.group_level == "brand"  # below the outlet: its products
    assert DrillState(by="channel").group_level == "channel"
    with pytest.raises(ValueError, match="unknown drill level"):
        state.drilled("planet", "Mars")
