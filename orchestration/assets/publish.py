"""Publish: copy the warehouse that dbt just built to the file analysts open read-only, atomically."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.dbt import WAREHOUSE_LOCK_WAIT_SECONDS, sellthrough_dbt_assets
from orchestration.resources import SellthroughResource
from orchestration.retries import TRANSIENT_RETRY
from sellthrough.locks import exclusive_lock
from sellthrough.publish import publish_warehouse


@asset(
    key=AssetKey(["published_warehouse"]),
    group_name="analytics",
    deps=[sellthrough_dbt_assets],
    description="The read-only copy analysts and BI tools open; replaced only after a build whose checks passed.",
    kinds={"duckdb"},
    retry_policy=TRANSIENT_RETRY,
)
def published_warehouse(context: AssetExecutionContext, sellthrough: SellthroughResource) -> MaterializeResult:
    settings = sellthrough.settings()
    with exclusive_lock(settings.warehouse_lock_path, timeout_seconds=WAREHOUSE_LOCK_WAIT_SECONDS):
        size = publish_warehouse(settings.warehouse_path, settings.published_path)
    context.log.info(f"published {settings.published_path} ({size:,} bytes)")
    return MaterializeResult(metadata={"path": str(settings.published_path), "bytes": size})
