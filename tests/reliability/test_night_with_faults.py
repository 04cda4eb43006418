"""One whole night on a copy of the tiny network, with everything going wrong at once (the one test here that
runs the nightly job: one dbt build of the tiny network; everything else in tests/reliability runs single steps).

In the inbox: a sales file in a distributor folder the master does not know (issue 18: one such file used to stop
every later night), an xlsx whose headers lie about its size, a one-line 'CSV', a symbolic link, a folder of no
known kind, and a new SKU master that drops a SKU loaded sales use; and the warehouse file is corrupt.

The warehouse is restored from the published copy; every inbox file has a ledger row or a reason to be skipped;
the unknown distributor's rows are quarantined; the dropped SKU fails relationships tests, so the facts and
dimensions involved keep last night's version in the published file while everything else is fresh (the new
quarantine, the file loads); the run fails with one paragraph naming the failed tests and the files their rows
came from, and an alert; the published file stays self-contained and read-only.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import duckdb
import pytest

from bench.hostile_files import write_lying_xlsx, write_one_line
from ingest.core.lake import Lake
from orchestration.pipeline import run_nightly
from sellthrough.build_report import BuildReport
from sellthrough.config import Settings
from sellthrough.publish import check_self_contained, connect_published
from sellthrough.status import skipped_files
from tests.pipeline_helpers import fingerprint
from tests.reliability.conftest import assert_ledger_identity
from tests.reliability.test_unknown_references import sales_csv

pytestmark = pytest.mark.e2e
SALES = "distributor_sales"
MB = 1024 * 1024
HELD = ("fct_secondary_sales", "dim_sku")


def every_inbox_file(inbox: Path) -> set[str]:
    return {p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file() or p.is_symlink()}


def drop_least_sold_sku(inbox: Path, published: Path) -> tuple[str, Path]:
    with duckdb.connect(str(published), read_only=True) as con:
        [(dropped,)] = con.execute(
            "select sku_code from fct_secondary_sales group by 1 order by count(*), 1 limit 1"
        ).fetchall()
    skus = (inbox / "masters" / "BRAND" / "skus.csv").read_text().splitlines()
    newer = inbox / "masters" / "BRAND" / "skus_2026-09-01.csv"
    newer.write_text("\n".join(line for line in skus if not line.startswith(f"{dropped},")) + "\n")
    os.utime(newer, (newer.stat().st_mtime + 60,) * 2)
    return dropped, newer


def test_a_night_of_hostile_files_a_corrupt_warehouse_and_a_failing_check_publishes_all_it_can(network: Path) -> None:
    inbox, lake = network / "inbox", Lake(network / "raw")
    settings = Settings.from_env(network)
    published = settings.published_path
    sales_csv(inbox / SALES / "D099" / "sales_2026-08-03.csv", ["SKU0001", "SKU0002"])
    write_lying_xlsx(inbox / SALES / "D002" / "register.xlsx", inflated=16 * MB)
    write_one_line(inbox / SALES / "D003" / "register.csv", 2 * MB)
    (inbox / SALES / "D001" / "linked.csv").symlink_to(inbox / SALES / "D099" / "sales_2026-08-03.csv")
    (inbox / "returns" / "D001").mkdir(parents=True)
    sales_csv(inbox / "returns" / "D001" / "returns.csv", ["SKU0001"])
    dropped, newer = drop_least_sold_sku(inbox, published)
    settings.warehouse_path.write_bytes(b"\x00" * 4096 + settings.warehouse_path.read_bytes()[4096:])
    last_night = fingerprint(published, HELD)
    published_before = published.stat().st_mtime_ns

    outcome = run_nightly(network)

    # the failing check: named with its files, in one paragraph and an alert; nothing else failed
    assert not outcome.success and outcome.error
    assert "relationships" in outcome.error and "main.fct_secondary_sales.sku_code" in outcome.error
    assert "Traceback" not in outcome.error and len(outcome.error.splitlines()) == 1
    report = BuildReport.read(network, outcome.run_id)
    print(outcome.error)  # shown when the test fails
    assert {(f.kind, f.column) for f in report.failed} == {("dbt test", "sku_code")}  # only the dropped SKU's tests
    assert all(f.name.startswith("relationships_") and f.files for f in report.failed)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        files = {r[0] for r in con.execute(
            "select distinct _source_file from fct_secondary_sales where sku_code = ?", [dropped]
        ).fetchall()}  # fmt: skip
    assert files and any(name in outcome.error for name in files)  # where the failing rows came from
    alert = json.loads(outcome.alert_path.read_text()) if outcome.alert_path else {}
    assert alert.get("message") == outcome.error and alert.get("details")

    # published all it could: the failing models and what is built from them kept, the rest fresh
    assert report.published and {f"main.{m}" for m in HELD} <= set(report.kept)
    assert published.stat().st_mtime_ns != published_before
    assert fingerprint(published, HELD) == last_night
    assert stat.S_IMODE(published.stat().st_mode) == 0o444
    check_self_contained(published)
    with connect_published(published) as con:
        reasons = con.execute(
            "select reason_code, count(*) from ops.fct_quarantined_rows where file_name = ? group by 1",
            [f"{SALES}/D099/sales_2026-08-03.csv"],
        ).fetchall()
        failed = dict(
            con.execute("select file_name, error_code from ops.fct_file_loads where status = 'failed'").fetchall()
        )
        new_master = con.execute(
            "select status from ops.fct_file_loads where file_name = ?", [f"masters/BRAND/{newer.name}"]
        )
        assert new_master.fetchall() == [("loaded",)]
    assert reasons == [("unknown_distributor", 2)]  # fresh: tonight's quarantine is published
    assert failed[f"{SALES}/D002/register.xlsx"] == "zip_bomb"
    assert failed[f"{SALES}/D003/register.csv"] == "line_too_long"

    # the corrupt warehouse was set aside and the night went on
    assert list(settings.warehouse_path.parent.glob("sellthrough.duckdb.corrupt-*"))

    # nothing lost: every inbox file loaded, failed with a reason, or skipped with one; the ledger adds up
    ledger = assert_ledger_identity(lake)
    skipped = set(skipped_files(settings)["file_name"].to_list())
    assert every_inbox_file(inbox) - set(ledger["file_name"].to_list()) - skipped == set()
    assert {f"{SALES}/D001/linked.csv", "returns/D001/returns.csv"} <= skipped
