"""Data quality: the Data Docs site of every load's expectation results (expectations/docs.py)."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from expectations.docs import build_data_docs
from orchestration.resources import SellthroughResource


@asset(
    key=AssetKey(["data_quality_docs"]),
    group_name="analytics",
    deps=[AssetKey(["raw", "ledger"])],
    description="Static Data Docs site (<data_dir>/quality/data_docs) of every load's expectation results.",
    kinds={"html"},
)
def data_quality_docs(context: AssetExecutionContext, sellthrough: SellthroughResource) -> MaterializeResult:
    settings = sellthrough.settings()
    index = build_data_docs(settings.data_dir, settings.raw_dir)
    context.log.info(f"Data Docs written to {index}")
    return MaterializeResult(metadata={"index": str(index)})
