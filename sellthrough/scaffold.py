"""`sellthrough new-source NAME`: scaffold a new source kind that works out of the box.

It writes `ingest/<name>/` (`__init__.py` exposing SOURCE, `contract.py`, `reader.py`, `README.md`),
`expectations/suites/<name>.py`, `dbt_project/models/staging/<name>/` (`_sources.yml`, `stg_<name>__lines.sql`,
landing each committed load once, and its `stg_<name>__lines.yml`), `intermediate/int_<name>__current`
(supersession: a re-sent file replaces the days it covers), `marts/<domain>/fct_<name>_lines` (one YAML per model)
and `tests/test_<name>.py`. The kind reads a table of dated item lines (CSV or spreadsheet) to `raw/<name>_lines`,
maps items to SKUs like the distributor files (unknown ones are quarantined as `unknown_sku` and land on the
review queue); edit the contract and reader to the real source from there.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from string import Template

from sellthrough.config import REPO_ROOT
from sellthrough.scaffold_templates import INIT_IMPORTS, READER_IMPORTS, TEMPLATES

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
DOC_WIDTH = 110  # a wrapped description, `"""` included, stays within ruff's 120
RESERVED = frozenset({"core", "registry", "tests", "masters"})
# the marts' domain folders (dbt_project/models/marts/<domain>/) a new kind's first mart can start in; not ops: its
# folder is the schema of the pipeline's own tables (the ledger, quarantine, review, data quality), a fixed list
# (expectations/mart_suites.py OPS_MARTS)
MART_DOMAINS = ("sales", "stock", "field", "schemes", "incentives")


class ScaffoldError(ValueError):
    """The name cannot be a new source kind (the message says why)."""


@dataclass(frozen=True)
class ScaffoldPaths:
    root: Path
    name: str
    domain: str = "sales"

    @property
    def package(self) -> Path:
        return self.root / "ingest" / self.name

    @property
    def suite(self) -> Path:
        return self.root / "expectations" / "suites" / f"{self.name}.py"

    @property
    def staging(self) -> Path:
        return self.root / "dbt_project" / "models" / "staging" / self.name

    @property
    def intermediate(self) -> Path:
        return self.root / "dbt_project" / "models" / "intermediate"

    @property
    def mart(self) -> Path:
        return self.root / "dbt_project" / "models" / "marts" / self.domain

    @property
    def test(self) -> Path:
        return self.root / "tests" / f"test_{self.name}.py"

    def files(self) -> dict[Path, str]:
        """Every file to write, keyed by path, with the template that renders it."""
        return {
            self.package / "__init__.py": "init",
            self.package / "contract.py": "contract",
            self.package / "reader.py": "reader",
            self.package / "README.md": "readme",
            self.suite: "suite",
            self.staging / "_sources.yml": "sources",
            self.staging / f"stg_{self.name}__lines.sql": "staging_sql",
            self.staging / f"stg_{self.name}__lines.yml": "models",
            self.intermediate / f"int_{self.name}__current.sql": "intermediate_sql",
            self.intermediate / f"int_{self.name}__current.yml": "intermediate_yml",
            self.mart / f"fct_{self.name}_lines.sql": "mart_sql",
            self.mart / f"fct_{self.name}_lines.yml": "mart_yml",
            self.test: "test",
        }


def check_name(name: str, root: Path = REPO_ROOT) -> None:
    """Refuse a name that is no lower-case Python identifier, a keyword, reserved, or already taken."""
    if not NAME_PATTERN.match(name) or not name.isidentifier():
        raise ScaffoldError(f"{name!r} is not a lower-case Python identifier (letters, digits, _; a letter first)")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED:
        raise ScaffoldError(f"{name!r} is a reserved word")
    paths = ScaffoldPaths(root, name)
    taken = [p for p in (paths.package, paths.suite, paths.staging, paths.test) if p.exists()]
    taken += [p for p in paths.files() if p.parent in (paths.intermediate, paths.mart) and p.exists()]
    if taken:
        raise ScaffoldError(f"{name!r} exists already: {', '.join(str(p.relative_to(root)) for p in taken)}")


def scaffold_source(
    name: str, root: Path = REPO_ROOT, description: str | None = None, domain: str = "sales"
) -> list[Path]:
    """Write the new kind's files under `root` (the repository by default), its first mart in the marts' `domain`
    folder; returns them. Nothing is overwritten: a bad or taken name raises ScaffoldError before anything is
    written."""
    if domain not in MART_DOMAINS:
        raise ScaffoldError(f"{domain!r} is not a marts domain: one of {', '.join(MART_DOMAINS)}")
    check_name(name, root)
    paths = ScaffoldPaths(root, name, domain)
    values = {
        "name": name,
        "title": name.replace("_", " "),
        "description": description or f"{name.replace('_', ' ').capitalize()} files",
        "table": f"{name}_lines",
        "domain": domain,
    }
    values["description_doc"] = textwrap.fill(values["description"], DOC_WIDTH)
    values["description_literal"] = _string_literal(f"{values['description']} (CSV, xlsx) to raw/{values['table']}")
    # double-quoted (JSON is YAML): a description may hold `: ` or `#`
    values["sources_description"] = _quoted(f"{values['description']}, normalised by ingest/{name}.")
    values["staging_description"] = _quoted(
        f"{values['description']} from every committed load, superseded or not; one row per line read."
    )
    values["current_description"] = _quoted(
        f"{values['description']} of committed loads, without the days a later file of the same distributor re-sent."
    )
    values["mart_description"] = _quoted(
        f"{values['description']}: one row per current line, with the SKU's brand and the distributor's geography."
    )
    values["init_imports"] = _sorted_imports(INIT_IMPORTS, name)
    values["reader_imports"] = _sorted_imports(READER_IMPORTS, name)
    written = []
    for path, template in paths.files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(TEMPLATES[template]).substitute(values), encoding="utf-8")
        written.append(path)
    return written


def _sorted_imports(lines: tuple[str, ...], name: str) -> str:
    """`from x import y` lines in the order ruff's isort keeps them (by module, case-insensitively)."""
    rendered = [Template(line).substitute(name=name) for line in lines]
    return "\n".join(sorted(rendered, key=lambda line: line.split()[1].lower()))


def _string_literal(text: str) -> str:
    """`text` as a Python string for a keyword argument at 4 spaces: one literal when it fits in ruff's 120,
    else implicitly concatenated pieces in parentheses, as ruff format keeps them."""
    if len(text) + 20 <= 120:
        return _quoted(text)
    pieces = textwrap.wrap(text, 100, drop_whitespace=False)
    return "(\n" + "".join(f"        {_quoted(piece)}\n" for piece in pieces) + "    )"


def _quoted(text: str) -> str:
    """A double-quoted Python string, as ruff format writes it."""
    return json.dumps(text, ensure_ascii=False)
