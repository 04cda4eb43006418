"""Documentation that must say what the code does: where dbt writes, what `backfill` does, which geo levels
kpi_distribution has (issue 21)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import yaml
from typer.testing import CliRunner

from sellthrough.cli import app
from sellthrough.config import DBT_TARGET_DIR, REPO_ROOT
from tests.pipeline_helpers import published_path


def test_every_dbt_invocation_writes_under_dbt_project() -> None:
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())
    assert (REPO_ROOT / project["target-path"]).resolve() == DBT_TARGET_DIR.resolve()
    assert (REPO_ROOT / project["log-path"]).resolve() == (REPO_ROOT / "dbt_project" / "logs").resolve()
    assert project["target-path"] in project["clean-targets"]


def test_readme_and_cli_help_describe_backfill_alike() -> None:
    help_text = " ".join(CliRunner().invoke(app, ["backfill", "--help"], env={"COLUMNS": "200"}).output.split())
    readme = next(line for line in (REPO_ROOT / "README.md").read_text().splitlines() if "sellthrough backfill" in line)
    for words in ("day by day", "received by", "ingest only", "nightly job once"):
        assert words in help_text and words in readme, words


def test_kpi_distribution_geo_levels_are_the_ones_its_yaml_names(tiny_network: Path) -> None:
    yml = REPO_ROOT / "dbt_project" / "models" / "marts" / "sales" / "kpi_distribution.yml"
    [model] = yaml.safe_load(yml.read_text())["models"]
    description = next(c["description"] for c in model["columns"] if c["name"] == "geo_level")
    named = set(re.findall(r"[a-z]+", description.split(":")[0])) - {"or", "and"}
    with duckdb.connect(str(published_path(tiny_network)), read_only=True) as con:
        levels = {level for (level,) in con.sql("select distinct geo_level from kpi_distribution").fetchall()}
    assert named == levels
