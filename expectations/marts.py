"""Validate the warehouse's key marts after a dbt build, and store the results for Data Docs.

Each mart is read from the built DuckDB file (read-only, only the columns its checks need) into Polars, helper
columns are added, and the frame is validated with the same ephemeral GE pandas context the loads use
(`expectations.runner.run_expectations`). A mart of more than BATCH_ROWS rows (a first night or the weekly full run
over a fact of 100M lines: read whole, its frame took 24 GB and the process was killed) is validated in hash
partitions of its unique column (of the row id when it has none), one frame at a time: equal keys fall in the same
partition, so a uniqueness check per partition is the check on the whole column, and every other check is row-wise;
the partitions' outcomes are summed. Results are written to
`<data_dir>/quality/mart_validations/<run_id>.parquet`, one file per run, with the raw layer's validation
columns (load_id holds the run id, file_name the mart, source_kind `mart`, severity `blocking` or `warning`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import polars as pl

from expectations.docs import MART_VALIDATIONS_DIR
from expectations.mart_suites import MART_SUITES, MartCheck, mart_schema
from expectations.model import IST_OFFSET
from expectations.runner import observed_text, run_expectations
from ingest.core.lake import VALIDATIONS_SCHEMA, write_parquet_atomic

MART_SOURCE_KIND = "mart"
BATCH_ROWS = 4_000_000  # rows of a mart validated at once (about 1-2 GB as a pandas frame)


@dataclass(frozen=True)
class MartVerdict:
    mart: str
    results: pl.DataFrame  # VALIDATIONS_SCHEMA rows, one per expectation

    @property
    def blocking_failures(self) -> list[str]:
        failed = self.results.filter((pl.col("severity") == "blocking") & ~pl.col("success"))
        return failed["expectation"].to_list()

    @property
    def warnings(self) -> list[str]:
        return self.results.filter((pl.col("severity") == "warning") & ~pl.col("success"))["expectation"].to_list()


def mart_run_id(dagster_run_id: str, now: datetime | None = None) -> str:
    """Sortable by time like a load id: `M20261122T020512-3f9a1c2b`."""
    stamp = now or datetime.now(UTC).replace(tzinfo=None)
    return f"M{stamp:%Y%m%dT%H%M%S}-{dagster_run_id[:8]}"


def business_today(now: datetime | None = None) -> date:
    """Today in India (IST): a business date after it cannot have happened yet."""
    utc = now or datetime.now(UTC).replace(tzinfo=None)
    return (utc + IST_OFFSET).date()


def mart_rows(
    connection: duckdb.DuckDBPyConnection, mart: str, built_since: datetime | None = None
) -> duckdb.DuckDBPyRelation:
    """The mart's rows from its schema (main, or ops: `mart_schema`), through DuckDB's relational API (no SQL text
    is built); with `built_since`, only the rows of an incremental mart built at or after it
    (sellthrough/test_windows.py)."""
    relation = connection.table(f"{mart_schema(mart)}.{mart}")
    if built_since is not None:
        relation = relation.filter(duckdb.ColumnExpression("_built_through") >= duckdb.ConstantExpression(built_since))
    return relation


def mart_partitions(
    relation: duckdb.DuckDBPyRelation, columns: list[str], key: str | None, batch_rows: int = BATCH_ROWS
) -> Iterator[pl.DataFrame]:
    """The relation's `columns` in frames of about `batch_rows` rows: one frame when it holds no more, else hash
    partitions of `key` (every row of one key value in the same frame), or of the row id without a key."""
    ((rows,),) = relation.count("*").fetchall()
    parts = max(1, math.ceil(rows / batch_rows))
    projection = [duckdb.ColumnExpression(c) for c in columns]
    if parts == 1:
        yield relation.select(*projection).pl()
        return
    bucket = duckdb.FunctionExpression("hash", duckdb.ColumnExpression(key or "rowid")) % duckdb.ConstantExpression(
        parts
    )
    for part in range(parts):
        yield relation.filter(bucket == duckdb.ConstantExpression(part)).select(*projection).pl()


def combine_outcomes(partitions: list[dict[str, dict]]) -> dict[str, dict]:
    """Each expectation's outcome over every partition: successful when it succeeded on each, its element and
    unexpected counts summed, its examples and error those of the first partition it failed on."""
    combined: dict[str, dict] = {}
    for name in partitions[0]:
        outcomes = [partition.get(name, {"success": False, "error": "not evaluated"}) for partition in partitions]
        failed = [outcome for outcome in outcomes if not outcome.get("success")]
        merged = dict(failed[0] if failed else outcomes[0])
        merged["success"] = not failed
        if "error" not in merged:
            merged["element_count"] = sum(outcome.get("element_count") or 0 for outcome in outcomes)
            merged["unexpected_count"] = sum(outcome.get("unexpected_count") or 0 for outcome in outcomes)
            merged.pop("unexpected_percent", None)
        combined[name] = merged
    return combined


def validate_mart(
    connection: duckdb.DuckDBPyConnection,
    mart: str,
    run_id: str,
    today: date | None = None,
    built_since: datetime | None = None,
    batch_rows: int = BATCH_ROWS,
) -> MartVerdict:
    checks = MART_SUITES[mart](today or business_today())
    columns = sorted({c for check in checks for c in check.columns()})
    derived = [expr for check in checks for expr in check.derived.values()]
    validated = sorted({c for check in checks for c in _ge_columns(check)})
    unique_columns = [c.column for c in checks if isinstance(c.expectation, gxe.ExpectColumnValuesToBeUnique)]
    if len(unique_columns) > 1:
        raise ValueError(f"{mart}: partitions keep one unique column's values together, not {unique_columns}")
    relation = mart_rows(connection, mart, built_since)
    partitions = []
    for frame in mart_partitions(relation, columns, unique_columns[0] if unique_columns else None, batch_rows):
        if derived:
            frame = frame.with_columns(derived)
        partitions.append(run_expectations(f"mart.{mart}", [c.expectation for c in checks], frame.select(validated)))
    outcomes = combine_outcomes(partitions)
    rows = [_row(run_id, mart, check, outcomes.get(check.name, {})) for check in checks]
    return MartVerdict(mart, pl.DataFrame(rows, schema=VALIDATIONS_SCHEMA, orient="row"))


def _ge_columns(check: MartCheck) -> list[str]:
    found = list(getattr(check.expectation, "column_list", None) or [])
    return [*found, check.column] if check.column else found


def _row(run_id: str, mart: str, check: MartCheck, outcome: dict) -> dict:
    return {
        "load_id": run_id,
        "file_name": mart,
        "source_kind": MART_SOURCE_KIND,
        "distributor_code": None,
        "suite": f"mart.{mart}",
        "expectation": check.name,
        "column_name": check.column if check.column and not check.column.startswith("_") else None,
        "severity": check.severity,
        "success": bool(outcome.get("success", False)),
        "unexpected_count": outcome.get("unexpected_count"),
        "element_count": outcome.get("element_count"),
        "observed_value": observed_text(outcome),
        "validated_at": datetime.now(UTC).replace(tzinfo=None),
    }


def validate_marts(
    warehouse: Path,
    run_id: str,
    marts: list[str] | None = None,
    built_since: Mapping[str, datetime] | None = None,
) -> list[MartVerdict]:
    """Every mart of MART_SUITES (or `marts`) in the warehouse file, read-only; a mart in `built_since` on its rows
    built at or after that time only (the nightly's window: sellthrough/test_windows.py), the others whole."""
    today = business_today()
    since = built_since or {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return [validate_mart(connection, mart, run_id, today, since.get(mart)) for mart in marts or list(MART_SUITES)]


def store_mart_results(data_dir: Path, run_id: str, verdicts: list[MartVerdict]) -> Path:
    """One parquet file per run under quality/mart_validations (written atomically)."""
    frames = [v.results for v in verdicts]
    results = pl.concat(frames) if frames else pl.DataFrame(schema=VALIDATIONS_SCHEMA)
    target = data_dir / MART_VALIDATIONS_DIR / f"{run_id}.parquet"
    write_parquet_atomic(results, target)
    return target
