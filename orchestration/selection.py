"""The assets a run for new inbox files materialises (the file-arrival sensor's RunRequest.asset_selection).

The nightly job's full selection is what the 02:00 schedule runs. For new files of some kinds the sensor asks for
a subset: those kinds' ingest assets (not the others': their new files wait for the night, so nothing is committed
to the ledger that this run would not land), the ledger, the dbt models those loads can change
(sellthrough/run_selection.py; dagster-dbt turns the subset into `dbt build --select`, with the models' tests), the
publish, and the anomaly alerts when the anomaly mart is rebuilt. Not the outlet master, the incentive plan nor
the Data Docs site: the nightly brings them up to date.
"""

from __future__ import annotations

from collections.abc import Iterable

from dagster import AssetKey

from ingest.registry import source_kinds
from orchestration.dbt import TRANSLATOR, sellthrough_dbt_assets
from orchestration.publish_gate import load_manifest
from sellthrough.run_selection import dbt_nodes_for_kinds

LEDGER_ASSETS = (AssetKey(["raw", "ledger"]), AssetKey(["raw", "quarantine"]))
PUBLISHED = AssetKey(["published_warehouse"])
ANOMALY_ALERTS = AssetKey(["sales_anomaly_alerts"])
ANOMALY_MART = "fct_sales_anomalies"


def assets_for_new_files(kinds: Iterable[str]) -> list[AssetKey] | None:
    """The asset keys a run loading new files of `kinds` materialises; None: the whole nightly job (a masters
    file, or a kind whose effect on the models is not known)."""
    kinds = sorted(set(kinds))
    registry = source_kinds()
    if not kinds or any(kind not in registry for kind in kinds):
        return None
    manifest = load_manifest()
    nodes = dbt_nodes_for_kinds(manifest, kinds)
    if nodes is None:
        return None
    dbt_keys = {TRANSLATOR.get_asset_key(manifest["nodes"][uid]) for uid in nodes}
    unknown = dbt_keys - set(sellthrough_dbt_assets.keys)
    if unknown:  # the translator and the dbt assets disagree: build everything rather than guess
        return None
    keys = [AssetKey(["raw", table]) for kind in kinds for table in registry[kind].contracts]
    keys += [*LEDGER_ASSETS, *sorted(dbt_keys, key=lambda k: k.to_user_string()), PUBLISHED]
    if any(manifest["nodes"][uid]["name"] == ANOMALY_MART for uid in nodes):
        keys.append(ANOMALY_ALERTS)
    return keys
