"""Layers that point one way, read from the source with `ast` (every import, at the top of a module or inside a
function): ingest imports nothing above it; only the command line, the entry point above both, imports
orchestration from sellthrough; every kind names its suite and every suite is named by its kind; the load runs
the validator its caller gives it, and refuses to load without one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from expectations.suites import suite_for
from ingest.core import validation
from ingest.core.lake import Lake
from ingest.core.runner import ingest_inbox
from ingest.core.validation import FileFailure, LoadToValidate, LoadValidation, NoValidator
from ingest.registry import source_kinds
from sellthrough.config import REPO_ROOT

ABOVE_INGEST = ("expectations", "sellthrough", "orchestration", "dashboard")
# the command line drives the runs (orchestration/pipeline.py): sellthrough's one way up, as an entry point
ENTRY_POINTS = {"sellthrough/cli.py"}


def imported_packages(path: Path) -> set[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a module, wherever it sits."""
    found: set[tuple[int, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {(node.lineno, alias.name.split(".")[0]) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.lineno, node.module.split(".")[0]))
    return found


def upward_imports(package: str, above: tuple[str, ...], allowed: set[str] = frozenset()) -> list[str]:
    modules = sorted((REPO_ROOT / package).rglob("*.py"))
    assert modules, f"no modules under {package}/"
    return [
        f"{path.relative_to(REPO_ROOT)}:{line} imports {top}"
        for path in modules
        if str(path.relative_to(REPO_ROOT)) not in allowed
        for line, top in sorted(imported_packages(path))
        if top in above
    ]


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n\n\ndef f():\n    from expectations.runner import GE_VALIDATOR\n    import dashboard\n"
    )
    assert imported_packages(module) == {(1, "os"), (5, "expectations"), (6, "dashboard")}


def test_ingest_imports_nothing_above_it() -> None:
    assert upward_imports("ingest", ABOVE_INGEST) == []


def test_sellthrough_does_not_import_orchestration_but_from_the_command_line() -> None:
    assert upward_imports("sellthrough", ("orchestration", "dashboard"), ENTRY_POINTS) == []


def test_expectations_import_neither_sellthrough_nor_orchestration() -> None:
    assert upward_imports("expectations", ("sellthrough", "orchestration", "dashboard")) == []


@pytest.mark.parametrize("kind", sorted(source_kinds()))
def test_each_kind_names_its_suite_and_the_lookup_uses_it(kind: str) -> None:
    named = source_kinds()[kind].suite
    assert named == f"expectations.suites.{kind}"
    suite = suite_for(kind)
    assert suite is not None and suite.kind == kind


def test_every_suite_module_is_named_by_a_kind() -> None:
    """A suite nobody names would never run: each `expectations/suites/*.py` with a SUITE is some kind's."""
    named = {kind.suite for kind in source_kinds().values()}
    with_suite = {
        f"expectations.suites.{path.stem}"
        for path in (REPO_ROOT / "expectations" / "suites").glob("*.py")
        if any(
            isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SUITE" for t in node.targets)
            for node in ast.parse(path.read_text()).body
        )
    }
    assert with_suite and with_suite <= named


class Refuser:
    """A validator that rejects every file and remembers what it was shown."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[str, ...]]] = []

    def validate(self, load: LoadToValidate, lake_root: Path | None = None) -> LoadValidation:
        self.seen.append((load.file_name, tuple(load.tables)))
        return LoadValidation(load, file_failures=[FileFailure("any", "refused_by_caller", "every file")])

    def volume(self, load: LoadToValidate, lake_root: Path) -> dict | None:
        return None


def test_the_load_runs_the_validator_its_caller_passes(inbox: Path, lake: Lake) -> None:
    refuser = Refuser()
    outcomes = ingest_inbox(inbox, lake, kinds=["masters"], validator=refuser)
    assert sorted(name for name, _ in refuser.seen) == sorted(o.file_name for o in outcomes)
    assert len(outcomes) == 2 and {o.status for o in outcomes} == {"failed"}
    assert all("refused_by_caller" in (o.error or "") for o in outcomes)
    ledger = lake.ledger()
    assert ledger.height == 2 and set(ledger["error_code"].to_list()) == {"expectations_failed"}


def test_without_a_validator_nothing_loads(inbox: Path, lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "_installed", [])
    with pytest.raises(NoValidator):
        ingest_inbox(inbox, lake, kinds=["masters"])
    assert lake.ledger().height == 0
