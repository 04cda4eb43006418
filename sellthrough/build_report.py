"""What failed in a night's build, which files caused it, and which relations the publish must hold back.

A failing check blocks publishing only what it must: the relations it judged (a dbt test's model, a mart whose
blocking expectation failed, a model that errored) and every relation built from them keep the previous night's
version in the published file; everything else is published fresh. The run still fails, with one paragraph that
names the failed checks and the files their failing rows came from, and an alert.

The files: a test's own query is run on the warehouse for its failing values (a relationships test returns the
unknown codes); the rows carrying those values are looked up in the tested model, or the nearest model upstream
of it, that keeps `_source_file` (the facts do), giving the inbox files. When nothing traces (a test on an
aggregate), the report names the files loaded since the previously published build instead.

The dbt step writes the report (`<data_dir>/quality/build_reports/<run id>.json`); the mart checks add to it;
the publish step reads it.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

REPORTS_DIR = Path("quality") / "build_reports"
SAMPLE_VALUES = 50
FILES_SHOWN = 5


@dataclass(frozen=True)
class FailedCheck:
    kind: str  # dbt test | dbt model | mart expectation
    name: str
    relation: str | None  # schema.name of the model it judged
    column: str | None = None
    failures: int | None = None
    message: str | None = None
    files: list[str] = field(default_factory=list)
    files_are_new_loads: bool = False  # not traced: the files loaded since the last published build

    def sentence(self) -> str:
        what = f"{self.kind} {self.name}"
        where = f"{self.relation}.{self.column}" if self.column else self.relation
        count = f", {self.failures} failing rows" if self.failures else ""
        text = f"{what} (on {where}{count})" if where else what
        if self.files:
            shown = ", ".join(self.files[:FILES_SHOWN]) + (" ..." if len(self.files) > FILES_SHOWN else "")
            label = "files loaded since the last published build" if self.files_are_new_loads else "from"
            text += f" [{label}: {shown}]"
        elif self.message and self.kind in ("dbt model", "dbt unit test"):
            text += f": {self.message.splitlines()[0][:200]}"
        return text


@dataclass
class BuildReport:
    run_id: str
    failed: list[FailedCheck] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)  # schema.name of every relation to keep from before
    published: bool | None = None  # set by the publish: True when the file was replaced (holding back `kept`)
    kept: list[str] = field(default_factory=list)  # tables taken from the previous published file
    note: str | None = None  # why nothing was published, when nothing was

    @property
    def ok(self) -> bool:
        return not self.failed

    def paragraph(self) -> str:
        """One paragraph for a person: what failed, from which files, what was published and what was not."""
        checks = "; ".join(f.sentence() for f in self.failed)
        kept = sorted(self.kept)
        if self.published and kept:
            shown = ", ".join(kept[:6]) + (f" and {len(kept) - 6} more" if len(kept) > 6 else "")
            outcome = (
                f"Everything else was published; {shown} keep the previous night's data in the published file "
                "until a build passes."
            )
        elif self.published:
            outcome = "Everything was published (what failed had no table to hold back)."
        else:
            reason = f" ({self.note})" if self.note else ""
            outcome = f"Nothing was published{reason}: the published file is the previous one."
        return (
            f"The night's build failed {len(self.failed)} check(s): {checks}. {outcome} Fix the file or the master "
            "named above (a fixed file is read again by the next run), then run again."
        )

    def write(self, data_dir: Path) -> Path:
        target = data_dir / REPORTS_DIR / f"{self.run_id}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, target)
        return target

    @classmethod
    def read(cls, data_dir: Path, run_id: str) -> BuildReport:
        path = data_dir / REPORTS_DIR / f"{run_id}.json"
        if not path.exists():
            return cls(run_id)
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            raw["run_id"],
            [FailedCheck(**f) for f in raw["failed"]],
            list(raw["held_back"]),
            raw.get("published"),
            list(raw.get("kept", [])),
            raw.get("note"),
        )

    def add(self, failed: FailedCheck, held: Iterable[str]) -> None:
        self.failed.append(failed)
        self.held_back = sorted(set(self.held_back) | set(held))


# --- from a dbt run -------------------------------------------------------------------------------------------------
FAILED_TEST = {"fail", "error"}
FAILED_NODE = {"error"}


def from_dbt_run(run_id: str, run_results: dict, manifest: dict, warehouse: Path, published: Path) -> BuildReport:
    """The report of one `dbt build` (its run_results.json and manifest.json), files traced on the warehouse."""
    report = BuildReport(run_id)
    nodes = manifest.get("nodes", {})
    failures = [
        r
        for r in run_results.get("results", [])
        if (r["unique_id"].startswith("test.") and r["status"] in FAILED_TEST)
        or (not r["unique_id"].startswith("test.") and r["status"] in FAILED_NODE)
    ]
    if not failures:
        return report
    with duckdb.connect(str(warehouse), read_only=True) as con:
        new_loads = _new_loads(con, published)
        for result in failures:
            node = nodes.get(result["unique_id"], {})
            if result["unique_id"].startswith("test."):
                if node.get("config", {}).get("severity", "error").lower() != "error":
                    continue
                judged = node.get("attached_node") or next(iter(node.get("depends_on", {}).get("nodes", [])), None)
                check = _failed_test(con, result, node, judged, manifest, new_loads)
            elif result["unique_id"].startswith("unit_test."):
                unit = manifest.get("unit_tests", {}).get(result["unique_id"], {})
                judged = model_id(manifest, unit.get("model") or result["unique_id"].split(".")[2])
                check = FailedCheck("dbt unit test", unit.get("name", result["unique_id"]),
                                    _relation(manifest, judged), None, None, result.get("message"))  # fmt: skip
            else:
                judged = result["unique_id"]
                check = FailedCheck("dbt model", node.get("name", judged), _relation(manifest, judged), None, None,
                                    result.get("message"))  # fmt: skip
            roots = [judged] if judged else []
            if result["unique_id"].startswith("test."):  # a relationships test judges its parent model too
                roots += [n for n in node.get("depends_on", {}).get("nodes", []) if _relation(manifest, n)]
            report.add(check, descendants(manifest, roots))
    return report


def _failed_test(
    con: duckdb.DuckDBPyConnection, result: dict, node: dict, judged: str | None, manifest: dict, new_loads: list[str]
) -> FailedCheck:
    column = node.get("column_name")
    relation = _relation(manifest, judged) if judged else None
    files: list[str] = []
    if result.get("compiled_code") and column and judged:
        values = _failing_values(con, result["compiled_code"], column)
        if values is not None:
            files = _files_with_values(con, manifest, judged, column, values)
    return FailedCheck(
        "dbt test",
        node.get("name", result["unique_id"]),
        relation,
        column,
        result.get("failures"),
        result.get("message"),
        files or new_loads,
        files_are_new_loads=not files,
    )


def _failing_values(con: duckdb.DuckDBPyConnection, compiled: str, column: str) -> list[Any] | None:
    try:
        relation = con.sql(compiled)
    except duckdb.Error:
        return None
    names = [c.lower() for c in relation.columns]
    # dbt's generic tests name the tested column from_field (relationships), unique_field, value_field
    wanted = [column.lower(), "from_field", "unique_field", "value_field"]
    position = next((names.index(n) for n in wanted if n in names), 0 if len(names) == 1 else None)
    if position is None:
        return None
    rows = relation.limit(SAMPLE_VALUES).fetchall()
    return sorted({row[position] for row in rows}, key=lambda v: (v is None, str(v)))


def _files_with_values(
    con: duckdb.DuckDBPyConnection, manifest: dict, start: str, column: str, values: list[Any]
) -> list[str]:
    """Inbox files of the rows holding `values` in `column`: in `start` or the nearest upstream model keeping
    `_source_file` and `column`."""
    for unique_id in _upstream(manifest, start):
        relation = _relation(manifest, unique_id)
        if relation is None:
            continue
        try:
            table = con.table(relation)
        except duckdb.Error:
            continue
        names = {c.lower() for c in table.columns}
        if "_source_file" not in names or column.lower() not in names:
            continue
        condition = _holding(column, values)
        if condition is None:
            continue
        found = table.filter(condition).select(duckdb.ColumnExpression("_source_file")).distinct().fetchall()
        return sorted(str(row[0]) for row in found if row[0] is not None)
    return []


def _holding(column: str, values: list[Any]) -> duckdb.Expression | None:
    """`column` is one of `values` (a null among them: or is null)."""
    expression = duckdb.ColumnExpression(column)
    known = [duckdb.ConstantExpression(v) for v in values if v is not None]
    condition = expression.isin(*known) if known else None
    if None in values:
        condition = expression.isnull() if condition is None else condition | expression.isnull()
    return condition


def _new_loads(con: duckdb.DuckDBPyConnection, published: Path) -> list[str]:
    """Files loaded since the previously published build (all committed loads when nothing was published)."""
    try:
        loads = con.table("staging.stg_ingest__loads").filter("status = 'loaded'")
    except duckdb.Error:
        return []
    current = dict(loads.select("load_id", "file_name").fetchall())
    if published.exists():
        with duckdb.connect(str(published), read_only=True) as before:
            try:
                old = {row[0] for row in before.table("staging.stg_ingest__loads").select("load_id").fetchall()}
            except duckdb.Error:
                old = set()
        current = {k: v for k, v in current.items() if k not in old}
    return sorted(current.values())


# --- the dbt graph --------------------------------------------------------------------------------------------------
RELATION_TYPES = {"model", "snapshot", "seed"}


def _relation(manifest: dict, unique_id: str | None) -> str | None:
    node = manifest.get("nodes", {}).get(unique_id or "", {})
    if node.get("resource_type") not in RELATION_TYPES:
        return None
    return f"{node.get('schema')}.{node.get('alias') or node.get('name')}"


def descendants(manifest: dict, roots: Iterable[str]) -> list[str]:
    """schema.name of the roots and of every model, snapshot or seed built from them."""
    children = manifest.get("child_map", {})
    seen: set[str] = set()
    queue = deque(roots)
    while queue:
        unique_id = queue.popleft()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        queue.extend(children.get(unique_id, []))
    return sorted({r for r in (_relation(manifest, u) for u in seen) if r is not None})


def _upstream(manifest: dict, start: str) -> list[str]:
    """`start`, then its parents breadth first (nearest first)."""
    parents = manifest.get("parent_map", {})
    order: list[str] = []
    queue = deque([start])
    while queue:
        unique_id = queue.popleft()
        if unique_id in order:
            continue
        order.append(unique_id)
        queue.extend(parents.get(unique_id, []))
    return order


def relation_of_model(manifest: dict, model_name: str) -> str | None:
    """schema.name of a model named `model_name` (for the mart checks, which know marts by name)."""
    for unique_id, node in manifest.get("nodes", {}).items():
        if node.get("resource_type") == "model" and node.get("name") == model_name:
            return _relation(manifest, unique_id)
    return None


def model_id(manifest: dict, model_name: str) -> str | None:
    return next(
        (
            u
            for u, n in manifest.get("nodes", {}).items()
            if n.get("resource_type") == "model" and n["name"] == model_name
        ),
        None,
    )
