"""The outlet master: duplicate outlets matched into one master outlet id (sellthrough.outlets), written as
derived parquet that dbt reads. Runs after the masters load, before dbt."""

from dagster import AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.resources import SellthroughResource
from orchestration.retries import TRANSIENT_RETRY
from sellthrough.outlets.store import run_outlet_master

DERIVED_TABLES = {
    "outlet_clusters": "outlet_code -> master_outlet_id: one id per real outlet, stable across runs.",
    "outlet_pairs": "Every compared outlet pair with its features, rule, score and decision (the audit).",
    "outlet_flags": "Retailer validation: invalid GSTIN, impossible GPS, phone not an Indian mobile.",
}


@multi_asset(
    name="outlet_master",
    specs=[
        AssetSpec(
            AssetKey(["derived", table]),
            group_name="intermediate",
            deps=[AssetKey(["raw", "masters_outlets"])],
            description=description,
            kinds={"parquet", "polars"},
        )
        for table, description in DERIVED_TABLES.items()
    ],
    retry_policy=TRANSIENT_RETRY,
)
def outlet_master(sellthrough: SellthroughResource):
    run = run_outlet_master(sellthrough.settings())
    metadata = {
        "outlets": run.outlets,
        "master_outlets": run.clusters,
        "merged_outlets": run.merged_outlets,
        "id_changes": run.id_changes,
        "flagged_outlets": run.flagged,
    }
    for table in DERIVED_TABLES:
        yield MaterializeResult(asset_key=AssetKey(["derived", table]), metadata=metadata)
