"""Data quality: the Data Docs site of every load's and every build's expectation results (expectations/docs.py).

It depends on the published warehouse, so it is the last step of the nightly run: after the mart checks (whose
results it shows) and the publish. When a blocking mart check fails, that check rebuilds the site itself.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from expectations.docs import build_data_docs
from orchestration.resources import SellthroughResource


@asset(
    key=AssetKey(["data_quality_docs"]),
    group_name="analytics",
    deps=[AssetKey(["raw", "ledger"]), AssetKey(["published_warehouse"])],
    description="Static Data Docs site (<data_dir>/quality/data_docs) of every load's and build's expectation "
    "results; the nightly run's last step.",
    kinds={"html"},
)
def data_quality_docs(context: AssetExecutionContext, sellthrough: SellthroughResource) -> MaterializeResult:
    settings = sellthrough.settings()
    index = build_data_docs(settings.data_dir, settings.raw_dir)
    context.log.info(f"Data Docs written to {index}")
    return MaterializeResult(metadata={"index": str(index)})
