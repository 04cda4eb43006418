"""Publishing after a build that failed a check: hold back only what the failure touches, publish the rest.

Called where a failure is known: by the dbt step when `dbt build` failed a test or a model (the mart suites then
run here, on the marts that built), and by the mart checks when a blocking expectation failed. The relations
judged by a failed check and every relation built from them are taken from the previous published file; the rest
is published fresh. The report (sellthrough/build_report.py) records what failed, from which files, and what was
kept; the caller then fails the run, whose alert carries the report's paragraph.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from expectations.docs import build_data_docs
from expectations.mart_suites import MART_SUITES
from expectations.marts import MartVerdict, store_mart_results, validate_marts
from sellthrough.build_report import BuildReport, FailedCheck, descendants, model_id, relation_of_model
from sellthrough.config import Settings
from sellthrough.publish import HeldBackWithoutPrevious, NotSelfContained, publish_warehouse
from sellthrough.publish_delta import incremental_tables
from sellthrough.test_windows import mart_windows, record_test_windows


def load_manifest() -> dict:
    from orchestration.dbt import DBT_PROJECT  # the parsed manifest of the project the dbt step runs

    return json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))


def add_mart_failures(report: BuildReport, verdicts: list[MartVerdict], manifest: dict) -> None:
    """Each mart whose blocking expectation failed is held back with what is built from it."""
    for verdict in verdicts:
        if not verdict.blocking_failures:
            continue
        failed = verdict.results.filter(~verdict.results["success"] & (verdict.results["severity"] == "blocking"))
        unexpected = int(failed["unexpected_count"].fill_null(0).sum())
        check = FailedCheck(
            "mart expectation",
            ", ".join(verdict.blocking_failures),
            relation_of_model(manifest, verdict.mart),
            None,
            unexpected or None,
            "; ".join(v for v in failed["observed_value"].to_list() if v)[:300],
        )
        root = model_id(manifest, verdict.mart)
        report.add(check, descendants(manifest, [root] if root else []))


def hold_back_and_publish(
    settings: Settings,
    report: BuildReport,
    *,
    mart_run_id: str | None = None,
    full_tests: bool = False,
    delta: bool = True,
    log: Callable[[str], None] = print,
) -> BuildReport:
    """With `mart_run_id`, first run the mart suites on the marts not held back (the dbt step's path: its mart
    checks will not run) and store their results under that id. Then publish holding back `report.held_back`,
    record the outcome in the report, write it and rebuild the Data Docs. `delta`: write only what changed
    (sellthrough/publish_delta.py); not after a full refresh nor on the weekly full test night."""
    manifest = load_manifest()
    if mart_run_id is not None:
        fresh = [m for m in MART_SUITES if relation_of_model(manifest, m) not in set(report.held_back)]
        since = mart_windows(settings.published_path, full_tests=full_tests)
        verdicts = validate_marts(settings.warehouse_path, mart_run_id, fresh, since) if fresh else []
        store_mart_results(settings.data_dir, mart_run_id, verdicts)
        add_mart_failures(report, verdicts, manifest)
    try:
        publish_warehouse(
            settings.warehouse_path,
            settings.published_path,
            keep_previous=report.held_back,
            incremental=incremental_tables(manifest) if delta else None,
        )
        report.published, report.kept = True, list(report.held_back)
        # what was kept is tested whole next night, until a build of it publishes
        record_test_windows(settings.published_path, manifest, kept=report.kept)
    except (HeldBackWithoutPrevious, NotSelfContained) as problem:
        report.published, report.note = False, str(problem)
    report.write(settings.data_dir)
    build_data_docs(settings.data_dir, settings.raw_dir)
    log(report.paragraph())
    return report
