"""Validate a load's conformed frames with Great Expectations (pandas), before the load is committed.

`GE_VALIDATOR` is the `ingest.core.validation.Validator` the callers above ingest pass to the load (the Dagster
ingest assets, `sellthrough preview`, the benchmarks; the test suite installs it): ingest never imports this.

One ephemeral GE context per process (its creation and GE's import are slow), one pandas data source with a
whole-dataframe batch definition; each table of a load is one batch validated against its suite. The answer says
which file-level expectations failed (the file is rejected), which rows fail row-level ones (they are
quarantined with a reason) and holds every expectation result as rows for `raw/_validations`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from expectations.model import Check, Suite, SuiteContext, declared_period
from expectations.suites import suite_for
from expectations.volume import covered_period, history_periods, judge_volume
from ingest.core.lake import LEDGER_DIR, SCHEMA_FILE
from ingest.core.validation import ROW_POSITION, FileFailure, LoadToValidate, LoadValidation


def validate_load(load: LoadToValidate, lake_root: Path | None = None) -> LoadValidation:
    """Run the kind's suite on every table of the load (and the volume check against the distributor's history)."""
    suite = suite_for(load.kind)
    if suite is None:
        return LoadValidation(load)
    verdict = LoadValidation(load, period_columns=suite.period_columns)
    period, declared_by = load.declared_period, load.declared_by
    if period is None:
        period, declared_by = declared_period(load.file_name), "its name"
    for table, frame in load.tables.items():
        if frame.height == 0:
            continue
        ctx = SuiteContext(
            load.kind, table, load.file_name, load.distributor_code, period, load.loaded_at, declared_by or "its name"
        )
        _validate_table(verdict, suite, ctx, frame, row_level=table not in load.derived_tables)
    if suite.volume and lake_root is not None:
        volume = volume_result(load, _history(lake_root, load.kind, load.distributor_code))
        if volume is not None:
            verdict.results.append(volume)
    return verdict


class GreatExpectationsValidator:
    """The kinds' suites (named by each `SourceKind.suite`), run with Great Expectations."""

    def validate(self, load: LoadToValidate, lake_root: Path | None = None) -> LoadValidation:
        return validate_load(load, lake_root)

    def volume(self, load: LoadToValidate, lake_root: Path) -> dict | None:
        suite = suite_for(load.kind)
        if suite is None or not suite.volume:
            return None
        return volume_result(load, _history(lake_root, load.kind, load.distributor_code))


GE_VALIDATOR = GreatExpectationsValidator()


def _validate_table(verdict: LoadValidation, suite: Suite, ctx: SuiteContext, frame: pl.DataFrame, *, row_level: bool):
    checks = [c for c in suite.checks(ctx) if _applies(c, frame)]
    if not checks:
        return
    derived = {name: expr for c in checks for name, expr in c.derived.items()}
    frame = frame.with_columns(list(derived.values())) if derived else frame
    columns = sorted({col for c in checks for col in _columns(c)})
    outcomes = _run_ge(f"{suite.kind}.{ctx.table}", [c.expectation for c in checks], frame.select(columns))
    failures: list[tuple[Check, list[int]]] = []
    for check in checks:
        outcome = outcomes.get(check.name, {})
        severity = check.severity if row_level or check.severity != "row" else "warning"
        verdict.results.append(_result_row(verdict.load, f"{suite.kind}.{ctx.table}", check, severity, outcome))
        if outcome.get("success", False):
            continue
        if severity == "file":
            verdict.file_failures.append(FileFailure(ctx.table, check.name, _observed(outcome)))
        elif severity == "row":
            failures.append((check, outcome.get("unexpected_index_list") or []))
    if failures:
        verdict.row_failures[ctx.table] = _reasons(frame, failures)


def _applies(check: Check, frame: pl.DataFrame) -> bool:
    needed = [c for c in _columns(check) if c not in check.derived]
    return all(c in frame.columns for c in needed)


def _columns(check: Check) -> list[str]:
    expectation = check.expectation
    found = list(getattr(expectation, "column_list", None) or [])
    if getattr(expectation, "column", None):
        found.append(expectation.column)
    for expr in check.derived.values():
        found.extend(expr.meta.root_names())
    return found


def _reasons(frame: pl.DataFrame, failures: list[tuple[Check, list[int]]]) -> pl.DataFrame:
    """One row per failing row position: the first failed check (in suite order) gives the reason."""
    indexed = frame.with_row_index(ROW_POSITION)
    parts = [
        indexed.filter(pl.col(ROW_POSITION).is_in(positions)).select(
            pl.col(ROW_POSITION),
            pl.lit(check.reason_code).alias("reason_code"),
            (check.reason if check.reason is not None else pl.lit(f"failed {check.name}")).alias("reason"),
        )
        for check, positions in failures
        if positions
    ]
    if not parts:
        return pl.DataFrame(schema={ROW_POSITION: pl.UInt32, "reason_code": pl.String, "reason": pl.String})
    return pl.concat(parts).unique(ROW_POSITION, keep="first", maintain_order=True)


def _result_row(load: LoadToValidate, suite: str, check: Check, severity: str, outcome: dict) -> dict:
    return {
        "load_id": load.load_id,
        "file_name": load.file_name,
        "source_kind": load.kind,
        "distributor_code": load.distributor_code,
        "suite": suite,
        "expectation": check.name,
        "column_name": check.column,
        "severity": severity,
        "success": bool(outcome.get("success", False)),
        "unexpected_count": outcome.get("unexpected_count"),
        "element_count": outcome.get("element_count"),
        "observed_value": _observed(outcome),
        "validated_at": datetime.now(UTC).replace(tzinfo=None),
    }


def observed_text(outcome: dict) -> str:
    """What an expectation saw, in words (stored as observed_value)."""
    return _observed(outcome)


def _observed(outcome: dict) -> str:
    if "error" in outcome:
        return f"error: {outcome['error']}"
    if outcome.get("observed_value") is not None:
        return str(outcome["observed_value"])
    unexpected, total = outcome.get("unexpected_count"), outcome.get("element_count")
    if unexpected:
        examples = ", ".join(str(v) for v in (outcome.get("partial_unexpected_list") or [])[:5])
        return f"{unexpected} of {total} rows unexpected, e.g. {examples}"
    return f"all {total} rows as expected" if total is not None else ""


# --- Great Expectations -------------------------------------------------------------------------------------


@cache
def _batch_definition() -> Any:
    """The process's one ephemeral GE context, data source, asset and whole-dataframe batch definition."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("sellthrough_loads").add_dataframe_asset("conformed_frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def run_expectations(suite_name: str, expectations: list, frame: pl.DataFrame) -> dict[str, dict]:
    """Validate a frame in the process's GE context (also used for the warehouse marts, expectations/marts.py);
    each expectation's outcome by its meta name."""
    return _run_ge(suite_name, expectations, frame)


def _run_ge(suite_name: str, expectations: list, frame: pl.DataFrame) -> dict[str, dict]:
    """Validate a frame; each expectation's result by its meta name (success, counts, unexpected row positions).

    GE's cost is per expectation, not per row, so a first pass asks only pass/fail (BOOLEAN_ONLY, ~4x cheaper
    than COMPLETE) and only the failed expectations run again for their counts and failing rows."""
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame.to_pandas()})
    first = _validate(batch, suite_name, expectations, "BOOLEAN_ONLY")
    failed = [e for e in expectations if not first[e.meta["name"]]["success"]]
    outcomes = {
        name: {"success": True, "unexpected_count": 0, "element_count": frame.height}
        for name, outcome in first.items()
        if outcome["success"]
    }
    if failed:
        outcomes |= _validate(batch, suite_name, failed, {"result_format": "COMPLETE", "partial_unexpected_count": 5})
    return outcomes


def _validate(batch: Any, suite_name: str, expectations: list, result_format: Any) -> dict[str, dict]:
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=suite_name, expectations=expectations)
    outcomes: dict[str, dict] = {}
    for result in batch.validate(suite, result_format=result_format).results:
        info = result.exception_info or {}
        outcome = {"success": bool(result.success), **(result.result or {})}
        if info.get("raised_exception"):
            outcome = {"success": False, "error": info.get("exception_message")}
        outcomes[result.expectation_config.meta["name"]] = outcome
    return outcomes


# --- volume against the distributor's like files (expectations/volume.py) ----------------------------------

_LEDGERS: dict[Path, tuple[set[str], list[pl.DataFrame]]] = {}


def _history(lake_root: Path, kind: str, distributor_code: str) -> pl.DataFrame:
    """Committed loads of this kind and distributor (the ledger, read incrementally: one read per new file)."""
    folder = lake_root / LEDGER_DIR
    seen, frames = _LEDGERS.setdefault(lake_root, (set(), []))
    for path in sorted(folder.glob("*.parquet")) if folder.exists() else []:
        if path.name != SCHEMA_FILE and path.name not in seen:
            seen.add(path.name)
            frames.append(pl.read_parquet(path, columns=["source_kind", "distributor_code", "status", *_VOLUME]))
    if not frames:
        return pl.DataFrame()
    if len(frames) > 1:
        frames[:] = [pl.concat(frames, how="diagonal_relaxed")]
    return frames[0].filter(
        (pl.col("source_kind") == kind)
        & (pl.col("distributor_code") == distributor_code)
        & (pl.col("status") == "loaded")
    )


_VOLUME = ["file_name", "period_start", "period_end", "rows_read"]


def volume_result(load: LoadToValidate, history: pl.DataFrame) -> dict | None:
    """The file's rows against the distributor's like files of this kind (`expectations/volume.py`): a warning
    when far off. None when the file has no period or too few like files."""
    period = covered_period(load.file_name, load.period)
    if period is None or history.is_empty():
        return None
    verdict = judge_volume(load.rows_read, period, history_periods(history))
    if verdict is None:
        return None
    outcome = {"success": verdict.success, "observed_value": verdict.describe(), "element_count": load.rows_read}
    check = Check("rows_near_like_files", None, "warning")
    return _result_row(load, f"{load.kind}.volume", check, "warning", outcome)
