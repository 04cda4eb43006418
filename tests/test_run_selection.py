"""A run the file-arrival sensor starts builds only what the new files' kinds change, and publishes what a full
nightly build of the same inputs publishes (issue 19: one new file to the published warehouse in under 30 s).

One shared setup for the module: the tiny network's first night with two files held back (the last distributor
sales file received, the last primary sales file), then a copy. The files land in both; one copy takes the run the
sensor asks for, the other the whole nightly job; every relation of the two published files is compared."""

import json
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, build_sensor_context

from orchestration.dbt import sellthrough_dbt_assets
from orchestration.definitions import NIGHTLY_JOB, defs
from orchestration.pipeline import run_nightly, run_requested
from orchestration.selection import assets_for_new_files
from sellthrough.config import DBT_TARGET_DIR
from sellthrough.run_selection import dbt_nodes_for_kinds
from tests.pipeline_helpers import copy_network, deliver_held, hold_back, published_path

pytestmark = pytest.mark.e2e

HELD_KINDS = ("distributor_sales", "primary_sales")
# columns that name a run rather than the data: load ids (and keys made from them), load and validation times
RUN_COLUMNS = ("load_id", "loaded_at", "validated_at", "run_id")


def _manifest() -> dict:
    return json.loads((DBT_TARGET_DIR / "manifest.json").read_text(encoding="utf-8"))


def _evaluate_sensor(data_dir: Path, monkeypatch: pytest.MonkeyPatch, cursor: str | None):
    monkeypatch.setenv("SELLTHROUGH_DATA_DIR", str(data_dir))
    sensor = defs.resolve_sensor_def("inbox_arrivals")
    with DagsterInstance.ephemeral() as instance:
        return sensor(build_sensor_context(instance=instance, cursor=cursor))


def _relations(database: Path) -> dict[str, tuple]:
    """Every table and view of the file: row count and an order-independent hash of the columns that do not name
    a run (load ids, load times; `_built_through` and the like start with '_')."""
    out = {}
    with duckdb.connect(str(database), read_only=True) as con:
        relations = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
            "union all select schema_name, view_name from duckdb_views() "
            "where database_name = current_database() and not internal order by all"
        ).fetchall()
        for schema, name in relations:
            relation = f'"{schema}"."{name}"'
            empty = con.sql(f"select * from {relation} limit 0")  # names from the catalog
            types = dict(zip(empty.columns, map(str, empty.dtypes), strict=True))
            columns = [
                c
                for c in empty.columns
                if not c.startswith("_") and not c.endswith("_key") and not any(r in c for r in RUN_COLUMNS)
            ]
            select = ", ".join(f'round("{c}", 4)' if types[c] == "DOUBLE" else f'"{c}"' for c in columns)
            row = con.execute(f"select count(*), sum(hash(row({select}))) from {relation}").fetchone()
            out[f"{schema}.{name}"] = row
    return out


@pytest.fixture(scope="module")
def night_then_files(tiny_inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Path]]:
    """Two copies of the tiny network after its first night, with the held-back files back in both inboxes."""
    base = copy_network(tiny_inbox, tmp_path_factory.mktemp("selection") / "sensor")
    held = hold_back(base, HELD_KINDS)
    outcome = run_nightly(base)
    assert outcome.success, f"first night failed at {outcome.failed_steps}"
    whole = copy_network(base, base.with_name("whole"))
    for data_dir in (base, whole):
        deliver_held(data_dir, held)
    return base, whole, [base / "inbox" / relative for relative in held]


def test_sensor_run_publishes_what_a_full_build_publishes(
    night_then_files: tuple[Path, Path, list[Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    sensor_dir, whole_dir, held = night_then_files
    asked = _evaluate_sensor(sensor_dir, monkeypatch, None)
    (request,) = asked.run_requests
    selection = set(request.asset_selection or [])
    dbt_keys = set(sellthrough_dbt_assets.keys)
    assert AssetKey(["raw", "secondary_sales"]) in selection and AssetKey(["raw", "primary_sales"]) in selection
    assert AssetKey(["raw", "stock_statement"]) not in selection  # other kinds' ingest waits for the night
    assert AssetKey(["data_quality_docs"]) not in selection and AssetKey(["published_warehouse"]) in selection
    assert 0 < len(selection & dbt_keys) < len(dbt_keys)
    names = {key.path[-1] for key in selection & dbt_keys}
    assert {"fct_secondary_sales", "fct_primary_sales", "int_calendar__as_of", "fct_file_loads"} <= names
    assert not names & {"stg_masters__skus", "dim_sku", "fct_pos_sales", "int_stock_statement__current"}

    partial = run_requested(request, sensor_dir)
    assert partial.success, f"the sensor's run failed at {partial.failed_steps}"
    full = run_nightly(whole_dir)
    assert full.success, f"the nightly failed at {full.failed_steps}"

    with duckdb.connect(str(published_path(sensor_dir)), read_only=True) as con:
        files = {row[0] for row in con.execute("select distinct _source_file from fct_secondary_sales").fetchall()}
    assert held[0].relative_to(sensor_dir / "inbox").as_posix() in files  # the new file reached the published file
    sensor_relations, whole_relations = _relations(published_path(sensor_dir)), _relations(published_path(whole_dir))
    assert len(sensor_relations) > 100
    differing = {r for r in whole_relations if sensor_relations.get(r) != whole_relations[r]}
    assert not differing, f"the sensor's run published other rows than a full build in {sorted(differing)}"


def test_masters_and_unknown_kinds_build_everything() -> None:
    manifest = _manifest()
    assert dbt_nodes_for_kinds(manifest, ["masters"]) is None
    assert dbt_nodes_for_kinds(manifest, ["distributor_sales", "masters"]) is None
    assert dbt_nodes_for_kinds(manifest, ["no_such_kind"]) is None
    assert assets_for_new_files(["masters"]) is None
    sales, primary = (
        dbt_nodes_for_kinds(manifest, ["distributor_sales"]),
        dbt_nodes_for_kinds(manifest, ["primary_sales"]),
    )
    assert sales is not None and primary is not None
    as_of = "model.sellthrough.int_calendar__as_of"
    assert as_of in sales and as_of not in primary  # only the sales kinds move the as-of date
    assert "model.sellthrough.stg_ingest__loads" in primary  # the ledger lands every load


def test_the_nightly_schedule_still_builds_everything() -> None:
    schedule = defs.resolve_schedule_def("nightly_0200_ist")
    assert schedule.job_name == NIGHTLY_JOB.name
    job_keys = defs.resolve_job_def(NIGHTLY_JOB.name).asset_layer.executable_asset_keys
    assert set(sellthrough_dbt_assets.keys) <= set(job_keys)
