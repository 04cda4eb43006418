"""Sales anomaly alerts: after publish, the anomalies fct_sales_anomalies holds that were never alerted go out
through the failed-run alert channel (sellthrough/anomalies/alerts.py). Detection itself is dbt's Python model
int_sales_anomalies__detected, built with the other models."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.assets.publish import published_warehouse
from orchestration.resources import SellthroughResource
from sellthrough.anomalies.alerts import alert_new_anomalies


@asset(
    key=AssetKey(["sales_anomaly_alerts"]),
    group_name="analytics",
    deps=[published_warehouse],
    description="New sales anomalies (fct_sales_anomalies, published) alerted once: data/alerts/, log, webhook.",
    kinds={"python"},
)
def sales_anomaly_alerts(context: AssetExecutionContext, sellthrough: SellthroughResource) -> MaterializeResult:
    path = alert_new_anomalies(sellthrough.settings(), context.run.run_id, context.run.job_name or "nightly")
    if path is not None:
        context.log.warning(f"new sales anomalies: alert recorded at {path}")
    return MaterializeResult(metadata={"alert": str(path) if path else ""})
