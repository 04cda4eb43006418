"""`sellthrough new-source`: the scaffold is written into a scratch root (never the repository: the registry would
discover it), made visible to the registry there, and proven to work: discovered, previewed on a small CSV, and
loaded through the nightly path (its own scaffolded test, run here) with its expectations suite."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from typer.testing import CliRunner

import expectations.suites
import ingest
from expectations.suites import suite_for
from ingest.core.lake import Lake
from ingest.core.preview import preview_file
from ingest.core.runner import ingest_inbox
from ingest.registry import source_kinds
from sellthrough.cli import app
from sellthrough.config import REPO_ROOT, Settings
from sellthrough.scaffold import ScaffoldError, check_name, scaffold_source
from tests.conftest import write_rows
from tests.pipeline_helpers import copy_network, run_dbt

NAME = "retailer_app"


def _forget_kind() -> None:
    source_kinds.cache_clear()
    suite_for.cache_clear()
    for module in [m for m in sys.modules if m.startswith((f"ingest.{NAME}", f"expectations.suites.{NAME}"))]:
        del sys.modules[module]


@pytest.fixture()
def scaffolded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "repo"
    scaffold_source(NAME, root=root, description="Retailer app order exports")
    monkeypatch.setattr(ingest, "__path__", [*ingest.__path__, str(root / "ingest")])
    monkeypatch.setattr(
        expectations.suites, "__path__", [*expectations.suites.__path__, str(root / "expectations" / "suites")]
    )
    _forget_kind()
    yield root
    monkeypatch.undo()
    _forget_kind()
    assert NAME not in source_kinds()


def test_the_scaffold_writes_every_piece_and_nothing_in_the_repository(scaffolded: Path) -> None:
    written = sorted(str(p.relative_to(scaffolded)) for p in scaffolded.rglob("*") if p.is_file())
    assert written == [
        "dbt_project/models/intermediate/int_retailer_app__current.sql",
        "dbt_project/models/intermediate/int_retailer_app__current.yml",
        "dbt_project/models/marts/sales/fct_retailer_app_lines.sql",
        "dbt_project/models/marts/sales/fct_retailer_app_lines.yml",
        "dbt_project/models/staging/retailer_app/_sources.yml",
        "dbt_project/models/staging/retailer_app/stg_retailer_app__lines.sql",
        "dbt_project/models/staging/retailer_app/stg_retailer_app__lines.yml",
        "expectations/suites/retailer_app.py",
        "ingest/retailer_app/README.md",
        "ingest/retailer_app/__init__.py",
        "ingest/retailer_app/contract.py",
        "ingest/retailer_app/reader.py",
        "tests/test_retailer_app.py",
    ]
    for path in scaffolded.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    staging = scaffolded / "dbt_project" / "models" / "staging" / NAME
    sources = yaml.safe_load((staging / "_sources.yml").read_text())["sources"][0]
    assert sources["name"] == NAME and sources["tables"][0]["name"] == f"{NAME}_lines"
    assert "/{identifier}/*.parquet" in sources["config"]["meta"]["external_location"]
    [model] = yaml.safe_load((staging / f"stg_{NAME}__lines.yml").read_text())["models"]
    assert model["name"] == f"stg_{NAME}__lines" and model["description"] and model["data_tests"]
    assert f"landed_loads('{NAME}', '{NAME}_lines')" in (staging / f"stg_{NAME}__lines.sql").read_text()
    assert not (REPO_ROOT / "ingest" / NAME).exists()


def test_the_registry_discovers_the_kind_and_preview_reads_a_csv(scaffolded: Path, tmp_path: Path, masters) -> None:
    kinds = source_kinds()
    assert NAME in kinds and kinds[NAME].contracts.keys() == {f"{NAME}_lines"}
    assert suite_for(NAME) is not None
    sample = write_rows(
        tmp_path / "orders.csv",
        [
            ["Order Date", "Product", "Qty", "Value"],
            ["02-11-2026", "Crunchy Glucose Biscuit 100 g", "24", "240"],
            ["02-11-2026", "sku0002", "6", "240"],
            ["03-11-2026", "Mystery Cola 2L", "2", "100"],
            ["04-11-2026", "SKU0002", "many", "10"],
        ],
    )
    report = preview_file(sample, kind=NAME, distributor_code="D001", masters=masters).as_dict()
    assert (report["rows_read"], report["rows_loaded"], report["rows_quarantined"]) == (4, 2, 2)
    assert report["quarantine_reasons"] == {"unknown_sku": 1, "bad_quantity": 1}
    assert report["totals"]["quantity"] == 30 and report["totals"]["date_min"] == "2026-11-02"


def test_the_scaffolded_test_passes_through_the_nightly_path(
    scaffolded: Path, inbox: Path, lake: Lake, masters
) -> None:
    spec = importlib.util.spec_from_file_location("scaffolded_test", scaffolded / "tests" / f"test_{NAME}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.test_retailer_app_lines_load_and_unknown_items_are_quarantined(inbox, lake, masters)
    validations = lake.read_table("_validations", lake.ledger()["load_id"].to_list())
    suites = set(validations.filter(pl.col("source_kind") == NAME)["suite"].to_list())
    assert f"{NAME}.{NAME}_lines" in suites


@pytest.mark.e2e
def test_the_scaffolded_kind_reaches_its_mart_and_a_resent_file_replaces_its_days(
    scaffolded: Path, tiny_network: Path, tmp_path: Path
) -> None:
    """The scaffold in a copy of the dbt project, on a copy of a loaded network: its files land once per load
    (staging), a re-sent file replaces the days it covers (int_<name>__current) and the mart has the lines."""
    shutil.copytree(
        REPO_ROOT / "dbt_project",
        scaffolded / "dbt_project",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
    )
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(REPO_ROOT / name, scaffolded / name)
    network = copy_network(tiny_network, tmp_path / "network")
    settings = Settings.from_env(network)
    lake = Lake(settings.raw_dir)
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(settings.warehouse_path, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first, second = (code for (code,) in con.execute("select sku_code from dim_sku order by 1 limit 2").fetchall())
    folder = settings.inbox_dir / NAME / "D001"

    def load_and_build(file_name: str, rows: list[list[str]]) -> duckdb.DuckDBPyConnection:
        write_rows(folder / file_name, [["Date", "Item", "Qty", "Amount"], *rows])
        outcomes = ingest_inbox(settings.inbox_dir, lake, kinds=[NAME])
        [outcome] = [o for o in outcomes if o.status != "duplicate"]  # the file loaded before is not loaded again
        assert (outcome.file_name.endswith(file_name), outcome.status) == (True, "loaded"), outcome.error
        built = run_dbt(network, warehouse, tmp_path, "build", "-s", f"+fct_{NAME}_lines", project_dir=scaffolded)
        assert built.returncode == 0, built.stdout[-3000:]
        return duckdb.connect(str(warehouse), read_only=True)

    sent = [
        ["03-08-2026", first, "12", "120"],
        ["04-08-2026", second, "5", "50"],
        ["04-08-2026", "Mystery Cola", "1", "9"],
    ]
    with load_and_build("orders.csv", sent) as con:
        mart = con.execute(
            f"select sku_code, quantity_units, brand from fct_{NAME}_lines order by line_date"
        ).fetchall()
        assert [(sku, units) for sku, units, _ in mart] == [(first, 12), (second, 5)]
        assert all(brand for _, _, brand in mart)
    # the same days re-sent, corrected: the second file replaces the first for 3-4 August
    corrected = [["03-08-2026", first, "7", "70"], ["04-08-2026", second, "6", "60"]]
    with load_and_build("orders (corrected).csv", corrected) as con:
        mart = con.execute(f"select sku_code, quantity_units from fct_{NAME}_lines order by line_date").fetchall()
        assert mart == [(first, 7), (second, 6)]
        # staging holds each load once, both files: 2 lines of the first load (landed once, not twice) + 2
        assert con.execute(f"select count(*) from staging.stg_{NAME}__lines").fetchall() == [(4,)]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("1orders", "identifier"),
        ("Orders", "identifier"),
        ("retailer-app", "identifier"),
        ("class", "reserved"),
        ("core", "reserved"),
        ("distributor_sales", "exists already"),
        ("whatsapp", "exists already"),
    ],
)
def test_bad_or_taken_names_are_refused(name: str, problem: str) -> None:
    with pytest.raises(ScaffoldError, match=problem):
        check_name(name)
    result = CliRunner().invoke(app, ["new-source", name])
    assert result.exit_code == 2 and problem in result.output


def test_scaffolding_the_same_name_twice_writes_nothing(tmp_path: Path) -> None:
    scaffold_source(NAME, root=tmp_path)
    reader = tmp_path / "ingest" / NAME / "reader.py"
    reader.write_text("# edited by hand\n")
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold_source(NAME, root=tmp_path)
    assert reader.read_text() == "# edited by hand\n"


def test_the_first_mart_goes_to_the_domain_asked_and_no_other(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="not a marts domain"):
        scaffold_source(NAME, root=tmp_path, domain="retailer_app")
    with pytest.raises(ScaffoldError, match="not a marts domain"):  # ops is the pipeline's own tables' schema
        scaffold_source(NAME, root=tmp_path, domain="ops")
    assert not (tmp_path / "ingest").exists()  # refused before anything is written
    written = scaffold_source(NAME, root=tmp_path, domain="stock")
    marts = tmp_path / "dbt_project" / "models" / "marts"
    assert [p.relative_to(marts).as_posix() for p in written if marts in p.parents] == [
        f"stock/fct_{NAME}_lines.sql",
        f"stock/fct_{NAME}_lines.yml",
    ]


def test_a_long_description_with_colons_scaffolds_files_ruff_and_dbt_accept(tmp_path: Path) -> None:
    """`retailer_stock` was made with a description like this one: its lines were too long for ruff and its `: `
    broke the YAML dbt parses."""
    import subprocess
    import sys

    description = "Retailer shelf stock: counts reps record at a visit (field-app export) and store inventory # weekly"
    written = scaffold_source("shelf_kind", root=tmp_path, description=description)
    ruff = [sys.executable, "-m", "ruff"]
    # the repository's settings; outside it, ruff's isort must be told what is first-party
    config = [
        "--config",
        str(REPO_ROOT / "pyproject.toml"),
        "--config",
        "lint.isort.known-first-party=['ingest', 'tests']",
    ]
    python = [str(p) for p in written if p.suffix == ".py"]
    assert (
        subprocess.run([*ruff, "check", "--no-cache", *config, *python], capture_output=True, check=False).returncode
        == 0
    )
    assert (
        subprocess.run(
            [*ruff, "format", "--check", "--no-cache", *config, *python], capture_output=True, check=False
        ).returncode
        == 0
    )
    for path in (p for p in written if p.suffix == ".yml"):
        assert description in str(yaml.safe_load(path.read_text()))
