"""The one `Definitions` of Sellthrough: ingest, dbt and publish assets, the nightly job and schedule."""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    in_process_executor,
)

from orchestration.assets.anomalies import sales_anomaly_alerts
from orchestration.assets.incentives import incentive_plan
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.mart_checks import mart_expectations
from orchestration.assets.outlets import outlet_master
from orchestration.assets.publish import published_warehouse
from orchestration.assets.quality import data_quality_docs
from orchestration.console import concise_console_logger
from orchestration.dbt import dbt_resource, sellthrough_dbt_assets
from orchestration.resources import SellthroughResource
from orchestration.sensors import build_sensors

NIGHTLY_JOB = define_asset_job(
    "nightly",
    selection=AssetSelection.all(),
    description="Load every new inbox file, build and test the warehouse, publish it for analysts.",
    executor_def=in_process_executor,  # one process: ingest, then dbt (the one DuckDB writer), then publish
)

INGEST_JOB = define_asset_job(
    "ingest",
    selection=AssetSelection.groups("ingest"),
    description="Load new inbox files into the raw lake only (backfills replay it day by day).",
    executor_def=in_process_executor,
)

FULL_TESTS_WEEKDAY = 6  # Sunday night (datetime.weekday()): every test on whole tables, the week's guarantee


def nightly_run_config(context: ScheduleEvaluationContext) -> dict:
    """Other nights test incremental models on the rows built since the last publish (sellthrough/test_windows.py);
    the Sunday night tests every table whole."""
    sunday = context.scheduled_execution_time.weekday() == FULL_TESTS_WEEKDAY
    return {"resources": {"sellthrough": {"config": {"full_tests": sunday}}}}


NIGHTLY_SCHEDULE = ScheduleDefinition(
    name="nightly_0200_ist",
    job=NIGHTLY_JOB,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Kolkata",
    run_config_fn=nightly_run_config,
    default_status=DefaultScheduleStatus.RUNNING,  # on as soon as the daemon runs (make dagster: DAGSTER_HOME)
)

defs = Definitions(
    assets=[
        *build_ingest_assets(),
        outlet_master,
        incentive_plan,
        sellthrough_dbt_assets,
        published_warehouse,
        data_quality_docs,
        sales_anomaly_alerts,
    ],
    asset_checks=[mart_expectations],
    jobs=[NIGHTLY_JOB, INGEST_JOB],
    schedules=[NIGHTLY_SCHEDULE],
    sensors=build_sensors(NIGHTLY_JOB, INGEST_JOB),  # the ingest job (backfills) alerts too
    resources={"dbt": dbt_resource(), "sellthrough": SellthroughResource()},
    loggers={"console": concise_console_logger},  # errors without Dagster's stack traces (orchestration/console.py)
)
