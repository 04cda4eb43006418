"""The one `Definitions` of Sellthrough: ingest, dbt and publish assets, the nightly job and schedule."""

from dagster import AssetSelection, Definitions, ScheduleDefinition, define_asset_job, in_process_executor

from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.mart_checks import mart_expectations
from orchestration.assets.outlets import outlet_master
from orchestration.assets.publish import published_warehouse
from orchestration.assets.quality import data_quality_docs
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

NIGHTLY_SCHEDULE = ScheduleDefinition(
    name="nightly_0200_ist", job=NIGHTLY_JOB, cron_schedule="0 2 * * *", execution_timezone="Asia/Kolkata"
)

defs = Definitions(
    assets=[*build_ingest_assets(), outlet_master, sellthrough_dbt_assets, published_warehouse, data_quality_docs],
    asset_checks=[mart_expectations],
    jobs=[NIGHTLY_JOB, INGEST_JOB],
    schedules=[NIGHTLY_SCHEDULE],
    sensors=build_sensors(NIGHTLY_JOB),
    resources={"dbt": dbt_resource(), "sellthrough": SellthroughResource()},
)
