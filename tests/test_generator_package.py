"""The sample-network generator is its own package (generator/) with its own extra: the warehouse never imports
it, and `sellthrough generate` without the extra says what to install instead of failing with a traceback."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sellthrough.cli import app
from sellthrough.config import REPO_ROOT

PRODUCT_PACKAGES = ("sellthrough", "ingest", "orchestration", "expectations", "dashboard")


def _module_level_imports(path: Path) -> set[str]:
    """Top-level modules a file imports when it is imported (not those imported inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_warehouse_does_not_import_the_generator_or_its_extra() -> None:
    offenders = [
        (str(path.relative_to(REPO_ROOT)), sorted(imported & {"generator", "xlwt"}))
        for package in PRODUCT_PACKAGES
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
        if (imported := _module_level_imports(path)) & {"generator", "xlwt"}
    ]
    assert not offenders
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(dependency.startswith("xlwt") for dependency in project["dependencies"])
    assert any(dependency.startswith("xlwt") for dependency in project["optional-dependencies"]["generator"])


def test_generate_without_the_extra_names_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "generator" or m.startswith("generator.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "xlwt", None)  # `import xlwt` raises ModuleNotFoundError, as when not installed
    result = CliRunner().invoke(app, ["generate", "--data-dir", str(tmp_path), "--days", "7"])
    assert result.exit_code == 2, result.output
    assert "sellthrough[generator]" in result.output and "'xlwt'" in result.output
    assert not (tmp_path / "inbox").exists()
