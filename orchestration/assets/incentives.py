"""The incentive plan (YAML finance keeps) as the derived tables dbt computes incentives from. Runs before dbt.

A plan file that cannot be used never stops the night: the tables keep the last good plan (sellthrough.incentives
.store), and the `incentive_plan_valid` check fails with severity WARN, naming the file and the problem."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)

from orchestration.resources import SellthroughResource
from sellthrough.incentives.store import run_incentive_plan

DERIVED_TABLES = {
    "incentive_rep_plans": "Rep incentive plans: target measure, target incentive, cap and gates, per month in force.",
    "incentive_rep_slabs": "Achievement slabs of each rep plan: from_pct, payout_pct there, rate per point above.",
    "incentive_retailer_programmes": "Retailer programmes: channels, focus-SKU and new-SKU bonuses.",
    "incentive_retailer_slabs": "Loyalty slabs of each retailer programme: from_amount and payout_pct.",
}
CHECKED = AssetKey(["derived", "incentive_rep_plans"])


@multi_asset(
    name="incentive_plan",
    specs=[
        AssetSpec(AssetKey(["derived", table]), group_name="intermediate", description=text, kinds={"parquet", "yaml"})
        for table, text in DERIVED_TABLES.items()
    ],
    check_specs=[
        AssetCheckSpec(
            "incentive_plan_valid",
            asset=CHECKED,
            description="the incentive plan file reads and checks (else the last good plan's tables stay)",
        )
    ],
)
def incentive_plan(context: AssetExecutionContext, sellthrough: SellthroughResource):
    run = run_incentive_plan(sellthrough.settings())
    if run.error:
        context.log.error(f"incentive plan not used, the last good plan stays: {run.error}")
    metadata = {
        "plan_file": str(run.plan_file),
        "rep_plans": run.rep_plans,
        "retailer_programmes": run.retailer_programmes,
    }
    for table in DERIVED_TABLES:
        yield MaterializeResult(asset_key=AssetKey(["derived", table]), metadata=metadata)
    yield AssetCheckResult(
        asset_key=CHECKED,
        check_name="incentive_plan_valid",
        passed=run.error is None,
        severity=AssetCheckSeverity.WARN,
        metadata={"plan_file": str(run.plan_file), "error": run.error or ""},
    )
