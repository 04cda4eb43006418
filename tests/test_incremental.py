"""Incremental models give the same marts as a full build: nights replayed in the order files arrived (late and
re-sent files included) end where a full rebuild of the same lake ends, night after night."""

import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from expectations.docs import MART_VALIDATIONS_DIR
from generator.files import write_delivered
from orchestration.pipeline import run_nightly
from sellthrough.config import DBT_TARGET_DIR
from tests.conftest import ANOMALIES_ENV
from tests.pipeline_helpers import MARTS, copy_network, fingerprint, published_path, run_dbt

pytestmark = pytest.mark.e2e

# Nights replayed (files received by the end of the day, UTC; None: the rest) and whether to compare the marts with
# a full rebuild after it. The tiny network's own faults and the test's own arrivals (below) cross them:
NIGHTS = (
    (date(2026, 7, 29), False),  # the first build (a full one): D005's week of 07-20 as first sent (07-28)
    (date(2026, 7, 31), True),  # D005's week of 07-20 re-sent corrected (07-30)
    (date(2026, 8, 10), False),  # a new outlets snapshot (masters, 08-01): every window rebuilt whole
    (date(2026, 8, 24), True),  # D001's week of 08-03, late, after a missing week; July's ERP file re-sent
    (date(2026, 8, 26), True),  # one daily file (D004, 08-25): the as-of date passes D004's dip week + 13 days
    (None, True),  # the rest: D001's week of 07-27, 36 days late, fills its gap
)
# Files the test makes arrive later than the generator says: D001's week of 08-03 on 08-20 while its week before
# is still missing (its last week built, 07-20, gets a new next week two weeks after it); D001's week of 08-17
# on 08-27, so the night of 08-26 brings one daily file only (its window starts after the rows whose is_dip the
# moved as-of date changes).
HELD_BACK = {
    "distributor_sales/D001/sales_2026-08-03_2026-08-09.xlsx": datetime(2026, 8, 20, 9, 0),
    "distributor_sales/D001/sales_2026-08-17_2026-08-23.xlsx": datetime(2026, 8, 27, 10, 0),
}
# The brand re-sends July's ERP file corrected on 08-20 (loaded the night of 08-24, three weeks after the first).
RESENT_PRIMARY = ("primary_sales/BRAND/primary_2026-07.csv", "primary_sales/BRAND/primary_2026-07_v2.csv")
RESENT_AT = datetime(2026, 8, 20, 9, 30)
DROPPED_LINE = 100  # the corrected file drops this line (1-based, after the header)...
CORRECTED_LINE = 1  # ...and doubles this one's quantity


def _hold_back(inbox: Path) -> None:
    for relative, arrives in HELD_BACK.items():
        stamp = arrives.replace(tzinfo=UTC).timestamp()
        os.utime(inbox / relative, (stamp, stamp))


def _resend_primary(inbox: Path) -> tuple[str, int, str]:
    """Write the corrected July file; returns the corrected line's document, new quantity and SKU."""
    first, corrected = RESENT_PRIMARY
    header, *lines = (inbox / first).read_text(encoding="utf-8").splitlines()
    cells = lines[CORRECTED_LINE - 1].split(",")
    quantity, rate = int(cells[6]) * 2, float(cells[7])
    cells[6], cells[8] = str(quantity), f"{quantity * rate:.2f}"
    lines[CORRECTED_LINE - 1] = ",".join(cells)
    del lines[DROPPED_LINE - 1]
    write_delivered(inbox / corrected, ("\n".join([header, *lines]) + "\n").encode("utf-8"), RESENT_AT)
    return cells[1], quantity, cells[5]


def _incremental_models(database: Path) -> tuple[str, ...]:
    """Every model built through an incremental window: the tables that carry `_built_through`."""
    with duckdb.connect(str(database), read_only=True) as con:
        rows = con.execute(
            "select distinct table_schema, table_name from information_schema.columns "
            "where column_name = '_built_through' order by all"
        ).fetchall()
    return tuple(name if schema == "main" else f"{schema}.{name}" for schema, name in rows)


def _assert_equals_a_full_rebuild(data_dir: Path, scratch: Path) -> None:
    """The published marts equal those of a full refresh of every incremental model (`dbt run --full-refresh`
    of them: the staging tables land every load again from the lake, the incremental marts are rebuilt from
    those rows; no tests, no ingest) on a copy of the warehouse. The other models are views, or tables rebuilt
    whole each night (dash_sales_periods, a view over one of each, is compared too). dbt's target folder stays
    under `scratch` from one comparison to the next, so dbt parses the project once."""
    published = published_path(data_dir)
    # and the dashboard's periods: their fytd rows are replaced by key (dash_sales_fytd), not rebuilt whole
    marts = tuple(dict.fromkeys(MARTS + _incremental_models(published) + ("dash_sales_periods", "dash_sales_fytd")))
    assert {"fct_primary_sales", "kpi_distributor_sales_trend"} <= set(marts)
    copy = scratch / "warehouse"
    copy.mkdir(parents=True)
    warehouse = copy / "sellthrough.duckdb"
    shutil.copyfile(data_dir / "warehouse" / "sellthrough.duckdb", warehouse)
    done = run_dbt(data_dir, warehouse, scratch, "run", "--full-refresh", "--select", "config.materialized:incremental")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "PASS=" in done.stdout and "PASS=0 " not in done.stdout, done.stdout[-2000:]
    assert fingerprint(published, marts) == fingerprint(warehouse, marts)
    shutil.rmtree(copy)


def _dips(data_dir: Path, distributor: str) -> dict[date, bool]:
    """The distributor's weeks in the published trend, from 07-20 to 08-10, with their is_dip."""
    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        rows = con.execute(
            "select week_start, is_dip from kpi_distributor_sales_trend "
            "where distributor_code = ? and week_start between '2026-07-20' and '2026-08-10'",
            [distributor],
        ).fetchall()
    return dict(sorted(rows))


def _tested_sql(run_id: str, model: str) -> list[str]:
    """For one run: the compiled SQL of dbt's tests on `model`."""
    (target,) = DBT_TARGET_DIR.glob(f"sellthrough_dbt_assets-{run_id[:7]}-*")
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    attached = {i for i, n in nodes.items() if n.get("attached_node") == f"model.sellthrough.{model}"}
    return [r["compiled_code"] for r in results if r["unique_id"] in attached]


def _tested_rows(data_dir: Path, run_id: str) -> tuple[list[str], int, int]:
    """For one run: the compiled SQL of dbt's tests on fct_secondary_sales, and the rows its mart suite
    validated against the rows the table has."""
    sql = _tested_sql(run_id, "fct_secondary_sales")
    (stored,) = (data_dir / MART_VALIDATIONS_DIR).glob(f"*-{run_id[:8]}.parquet")
    checks = pl.read_parquet(stored).filter(pl.col("file_name") == "fct_secondary_sales")
    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        (rows,) = con.execute("select count(*) from fct_secondary_sales").fetchone()
    return sql, int(checks["element_count"].max()), rows


def _anomalies(data_dir: Path) -> tuple[int, date | None]:
    """The published int_sales_anomalies__detected: its rows, and the first day the night judged again (the rows
    starting before it were kept from earlier nights; None: the night judged every day)."""
    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        (table,) = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_name = 'int_sales_anomalies__detected'"
        ).fetchone()
        return con.execute(
            f"select count(*) filter (where kind <> '_night'), max(_judged_from) from {table}"
        ).fetchone()


def test_nightly_increments_equal_a_full_rebuild(
    tiny_inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the anomaly detector judges again only the fortnights a night can change (int_sales_anomalies__detected, an
    # incremental Python model): on here, so that its nights are compared with a full rebuild too
    monkeypatch.setenv(ANOMALIES_ENV, "on")
    data_dir = copy_network(tiny_inbox, tmp_path / "net")
    inbox = data_dir / "inbox"
    _hold_back(inbox)
    document, corrected_quantity, sku = _resend_primary(inbox)

    judged: dict[date | None, tuple[int, date | None]] = {}  # the detector's rows and first day judged, compared
    for night, compare in NIGHTS:
        outcome = run_nightly(data_dir, run_date=night)
        assert outcome.success, (night, outcome.failed_steps)
        if night == date(2026, 8, 24):  # the scenario holds: D001 has a gap before its late week
            assert list(_dips(data_dir, "D001")) == [date(2026, 7, 20), date(2026, 8, 3), date(2026, 8, 10)]
        if night == date(2026, 8, 26):  # D004's week of 08-10 became a dip by the as-of date alone
            assert _dips(data_dir, "D004")[date(2026, 8, 10)]
            # one daily file: dbt's tests and the mart suite read the rows built since the published file only
            sql, validated, rows = _tested_rows(data_dir, outcome.run_id)
            assert sql and all("_built_through >= timestamp" in s for s in sql)
            assert 0 < validated < rows, (validated, rows)
            # and the views over every line: the night's loads, listed; the dates the fact rebuilt
            resolved = _tested_sql(outcome.run_id, "int_secondary_sales__resolved")
            assert resolved and all("load_id in ('L" in s for s in resolved)
            earnings = _tested_sql(outcome.run_id, "int_secondary_sales__scheme_earnings")
            assert earnings and all("invoice_date >= date '2026-08-" in s for s in earnings)
            # a view over both facts: from the earliest date either rebuilt
            returns = _tested_sql(outcome.run_id, "fct_returns")
            assert returns and all("return_date >= date '2026-0" in s for s in returns), returns
        if night == NIGHTS[0][0]:  # the first night has nothing published before it: every test reads it all
            sql, validated, rows = _tested_rows(data_dir, outcome.run_id)
            assert sql and not any("_built_through" in s for s in sql)
            assert validated == rows
        if compare:
            _assert_equals_a_full_rebuild(data_dir, tmp_path / "full_rebuild")
            judged[night] = _anomalies(data_dir)

    # the detector found anomalies; the night of one daily file judged again only the fortnights from four weeks
    # before it on (the window), and still equalled a full rebuild; masters, late files: every day again
    assert judged[None][0] > 0 and judged[date(2026, 8, 26)][0] > 0, judged
    assert judged[date(2026, 8, 26)][1] is not None and judged[date(2026, 8, 26)][1] > date(2026, 7, 1), judged

    with duckdb.connect(str(published_path(data_dir)), read_only=True) as con:
        # one row that is no anomaly carries the night's stamps, so a night that finds nothing still tells the next
        # how far it judged (else the next judges all history again); the mart leaves it out
        stamps = con.execute(
            "select count(*), count(_built_through), count(_judged_through) "
            "from intermediate.int_sales_anomalies__detected where kind = '_night'"
        ).fetchone()
        assert stamps == (1, 1, 1), stamps
        assert con.execute("select count(*) from fct_sales_anomalies where kind = '_night'").fetchone() == (0,)
        # the re-sent ERP file's correction replaced the first one's lines three weeks later
        quantities = con.execute(
            "select quantity_units from fct_primary_sales where doc_number = ? and sku_code = ?", [document, sku]
        ).fetchall()
        assert quantities == [(corrected_quantity,)]
    assert list(_dips(data_dir, "D001")) == [date(2026, 7, 20), date(2026, 7, 27), date(2026, 8, 3), date(2026, 8, 10)]
