"""The dbt project's layout (issue 20): marts by domain, one YAML per model beside its SQL, macros by concern.

Read from the files dbt reads, so a model added without its YAML, a shared `_models.yml` brought back, a mart left
outside a domain folder or a macro file the README does not list fails here, before `dbt parse` would say nothing
(dbt accepts all of these)."""

from pathlib import Path

import yaml

from expectations.mart_suites import OPS_MARTS, OPS_SCHEMA
from sellthrough.config import REPO_ROOT

MODELS = REPO_ROOT / "dbt_project" / "models"
MACROS = REPO_ROOT / "dbt_project" / "macros"
MART_DOMAINS = {"sales", "stock", "field", "schemes", "incentives", "ops", "dimensions", "dashboard"}


def _model_files() -> list[Path]:
    return sorted(p for p in MODELS.rglob("*") if p.suffix in {".sql", ".py"})


def test_every_model_has_its_own_yaml_beside_it() -> None:
    models = _model_files()
    assert len(models) >= 100
    for model in models:
        spec = yaml.safe_load(model.with_suffix(".yml").read_text())
        [entry] = spec["models"]
        assert entry["name"] == model.stem, model
        assert entry["description"].strip(), model
        assert {test["model"] for test in spec.get("unit_tests", [])} <= {model.stem}, model


def test_no_yaml_but_a_models_own_and_the_sources() -> None:
    stems = {p.with_suffix("") for p in _model_files()}
    strays = [p for p in MODELS.rglob("*.yml") if p.name != "_sources.yml" and p.with_suffix("") not in stems]
    assert strays == []


def test_marts_sit_in_their_domain_folders() -> None:
    # `sellthrough new-source` writes a kind's first mart into one of these too (--domain)
    marts = MODELS / "marts"
    assert {p.name for p in marts.iterdir() if p.is_dir()} == MART_DOMAINS
    assert [p.name for p in marts.iterdir() if p.is_file()] == []
    # the ledger, quarantine, review queue and data-quality tables are together (issue 20), in their own schema:
    # the folder is what the mart suites read from ops (expectations/mart_suites.py), and dbt_project.yml builds
    # it there
    ops = {"fct_file_loads", "fct_quarantined_rows", "fct_review_queue", "fct_data_quality_results"}
    assert ops <= {p.stem for p in (marts / "ops").glob("*.sql")} == OPS_MARTS
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["models"]["sellthrough"]["marts"]
    assert project["+schema"] == "main" and project["ops"]["+schema"] == OPS_SCHEMA == "ops"


def test_macros_sit_in_concern_folders_the_readme_lists() -> None:
    readme = (MACROS / "README.md").read_text()
    files = sorted(MACROS.rglob("*.sql"))
    assert files
    for path in files:
        relative = path.relative_to(MACROS)
        assert len(relative.parts) == 2, f"{relative}: a macro file belongs in a concern folder"
        assert f"`{relative.parts[0]}/`" in readme and f"`{path.name}`" in readme, relative
