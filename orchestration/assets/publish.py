"""Publish: copy the warehouse that dbt just built to the file analysts open read-only, atomically."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from ingest.core.locks import exclusive_lock
from orchestration.dbt import WAREHOUSE_LOCK_WAIT_SECONDS, sellthrough_dbt_assets
from orchestration.publish_gate import load_manifest
from orchestration.resources import SellthroughResource
from orchestration.retries import TRANSIENT_RETRY
from sellthrough.publish import publish_warehouse
from sellthrough.publish_delta import incremental_tables
from sellthrough.test_windows import record_test_windows


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
        manifest = load_manifest()
        # only what changed is written (the spare generation brought up to date), except after a full refresh
        # (rows rebuilt under new code keep their signatures) and on the weekly full test night (a clean copy)
        delta = not sellthrough.tests_whole_tables()
        size = publish_warehouse(
            settings.warehouse_path,
            settings.published_path,
            incremental=incremental_tables(manifest) if delta else None,
            log=context.log.info,
        )
        # how far the published rows go: tomorrow's tests of incremental models start there
        record_test_windows(settings.published_path, manifest)
    context.log.info(f"published {settings.published_path} ({size:,} bytes)")
    return MaterializeResult(metadata={"path": str(settings.published_path), "bytes": size})
