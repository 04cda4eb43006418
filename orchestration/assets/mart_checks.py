"""Great Expectations suites on the key marts (expectations/mart_suites.py) as Dagster asset checks.

One check per mart, all in one step after the dbt build: the warehouse is opened read-only once (under the
warehouse lock, so no dbt of another run writes meanwhile) and every result is stored in
`<data_dir>/quality/mart_validations/`. A mart's check fails with severity ERROR when one of its blocking
expectations fails; the specs are `blocking=True`, so Dagster makes every asset downstream of the marts
(`published_warehouse`, `data_quality_docs`) wait for this step and not run after such a failure, and the run
fails. Before that, the failing marts and everything built from them are held back and the rest is published
(orchestration/publish_gate.py), so one failing mart blocks only what it must; the Data Docs site is rebuilt
there, since the `data_quality_docs` asset will not run. When only warnings fail the check reports severity WARN,
which never blocks.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    multi_asset_check,
)
from dagster_dbt import get_asset_key_for_model

from expectations.mart_suites import MART_SUITES
from expectations.marts import MartVerdict, mart_run_id, store_mart_results, validate_marts
from ingest.core.locks import exclusive_lock
from orchestration.dbt import WAREHOUSE_LOCK_WAIT_SECONDS, sellthrough_dbt_assets
from orchestration.publish_gate import add_mart_failures, hold_back_and_publish, load_manifest
from orchestration.resources import SellthroughResource
from sellthrough.build_report import BuildReport
from sellthrough.test_windows import mart_windows

CHECK_NAME = "expectations_suite"
# the dbt assets' own keys (e.g. main/fct_secondary_sales, ops/kpi_distributor_scorecard): a spec naming a key no
# asset has is silently left out of every job, so the keys are looked up, never spelled out
MART_KEYS: dict[str, AssetKey] = {mart: get_asset_key_for_model([sellthrough_dbt_assets], mart) for mart in MART_SUITES}

MART_CHECK_SPECS = [
    AssetCheckSpec(
        CHECK_NAME,
        asset=key,
        blocking=True,
        description=f"Great Expectations suite mart.{mart} (expectations/mart_suites.py); "
        "a failed blocking expectation stops the publish step",
    )
    for mart, key in MART_KEYS.items()
]


# a run for new files (orchestration/selection.py) rebuilds some marts only: it checks those
@multi_asset_check(specs=MART_CHECK_SPECS, name="mart_expectations", can_subset=True)
def mart_expectations(
    context: AssetCheckExecutionContext, sellthrough: SellthroughResource
) -> Iterator[AssetCheckResult]:
    settings = sellthrough.settings()
    run_id = mart_run_id(context.op_execution_context.run_id)
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    marts = [mart for mart, key in MART_KEYS.items() if key in selected]
    with exclusive_lock(settings.warehouse_lock_path, timeout_seconds=WAREHOUSE_LOCK_WAIT_SECONDS):
        # incremental marts on the rows built since the published version, unless tonight tests everything
        since = mart_windows(settings.published_path, full_tests=sellthrough.tests_whole_tables())
        verdicts = validate_marts(settings.warehouse_path, run_id, marts, built_since=since) if marts else []
        stored = store_mart_results(settings.data_dir, run_id, verdicts)
        context.log.info(f"mart expectation results written to {stored}")
        if any(v.blocking_failures for v in verdicts):
            # the failing marts and what is built from them keep the previous night's version; the rest is
            # published here (the publish step will not run after a blocking failure); Data Docs rebuilt
            report = BuildReport.read(settings.data_dir, context.op_execution_context.run_id)
            add_mart_failures(report, verdicts, load_manifest())
            delta = not sellthrough.tests_whole_tables()
            hold_back_and_publish(
                settings, report, full_tests=sellthrough.tests_whole_tables(), delta=delta, log=context.log.error
            )
    for verdict in verdicts:
        yield _result(verdict)


def _result(verdict: MartVerdict) -> AssetCheckResult:
    blocking, warnings = verdict.blocking_failures, verdict.warnings
    failed = verdict.results.filter(~verdict.results["success"])
    return AssetCheckResult(
        asset_key=MART_KEYS[verdict.mart],
        check_name=CHECK_NAME,
        passed=not blocking and not warnings,
        severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
        metadata={
            "expectations": verdict.results.height,
            "blocking_failed": blocking,
            "warnings_failed": warnings,
            "observed": {r["expectation"]: r["observed_value"] for r in failed.iter_rows(named=True)},
        },
    )
