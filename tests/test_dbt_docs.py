"""`dbt docs generate` works on a built warehouse, and every mart column analysts see is described (issue 6)."""

import json
import shutil
from pathlib import Path

import pytest

from tests.pipeline_helpers import run_dbt

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def docs(tiny_network: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """manifest.json and catalog.json of `dbt docs generate` on a copy of the tiny network's warehouse (the
    copy, its own target and log folders: the fixture's warehouse and the project's manifest stay untouched)."""
    work = tmp_path_factory.mktemp("dbt_docs")
    warehouse = work / "sellthrough.duckdb"
    shutil.copyfile(tiny_network / "warehouse" / "sellthrough.duckdb", warehouse)
    done = run_dbt(tiny_network, warehouse, work, "docs", "generate")
    assert done.returncode == 0, done.stdout[-3000:]
    target = work / "target"
    return json.loads((target / "manifest.json").read_text()), json.loads((target / "catalog.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}


def test_catalog_has_every_model(docs: tuple[dict, dict]) -> None:
    manifest, catalog = docs
    models = _models(manifest)
    assert len(models) >= 50
    missing = sorted(models[uid]["name"] for uid in set(models) - set(catalog["nodes"]))
    assert missing == []
    assert not catalog.get("errors")
    assert "fct_data_quality_results" in {node["name"] for node in models.values()}


def test_every_model_and_every_mart_column_is_described(docs: tuple[dict, dict]) -> None:
    manifest, catalog = docs
    models = _models(manifest)
    undescribed_models = sorted(node["name"] for node in models.values() if not node["description"].strip())
    missing: list[str] = []
    for uid, node in models.items():
        if "marts" not in node["fqn"]:  # the marts (every domain folder under them) are what analysts open
            continue
        described = {name.lower() for name, column in node["columns"].items() if column["description"].strip()}
        missing += [f"{node['name']}.{c}" for c in catalog["nodes"][uid]["columns"] if c.lower() not in described]
    assert undescribed_models == []
    assert missing == [], "columns without a description:\n" + "\n".join(missing)
