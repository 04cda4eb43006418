"""One Dagster multi-asset per ingest source kind, built from `ingest.registry`: no code here per kind.

Each produces the raw tables of its kind (`raw/<table>`); `raw/ledger` and `raw/quarantine` come after all
of them and check the accounting of every file: rows read = loaded + quarantined + deduplicated.
"""

from collections import Counter

import polars as pl
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

from expectations.runner import GE_VALIDATOR
from ingest.core.lake import VALIDATIONS_DIR, Lake
from ingest.core.runner import ingest_inbox
from ingest.core.skipped import unscanned_files
from ingest.core.source import SourceKind
from ingest.registry import source_kinds
from orchestration.resources import SellthroughResource
from orchestration.retries import TRANSIENT_RETRY


def _ingest_asset(kind: SourceKind, upstream: list[AssetKey]):
    specs = [
        AssetSpec(
            AssetKey(["raw", table]),
            group_name="ingest",
            deps=upstream,
            description=f"{kind.description} (parquet, one file per load)",
            kinds={"parquet", "polars"},
        )
        for table in kind.contracts
    ]

    checked = specs[0].key
    expectations_check = AssetCheckSpec(
        "expectations_passed",
        asset=checked,
        blocking=True,
        description="no load of this run was committed with a failed file-level expectation",
    )

    @multi_asset(
        name=f"ingest_{kind.name}", specs=specs, check_specs=[expectations_check], retry_policy=TRANSIENT_RETRY
    )
    def _asset(context: AssetExecutionContext, sellthrough: SellthroughResource):
        settings = sellthrough.settings()
        outcomes = ingest_inbox(
            settings.inbox_dir,
            Lake(settings.raw_dir),
            kinds=[kind.name],
            extra_layouts_dir=settings.layouts_dir,
            received_until=sellthrough.received_until_datetime(),
            validator=GE_VALIDATOR,
        )
        statuses = Counter(o.status for o in outcomes)
        for outcome in outcomes:
            if outcome.status == "failed":
                context.log.warning(f"file rejected: {outcome.error}")
        summary = {
            "files_loaded": statuses.get("loaded", 0),
            "files_failed": statuses.get("failed", 0),
            "files_already_loaded": statuses.get("duplicate", 0),
            "rows_loaded": sum(o.rows_loaded for o in outcomes),
            "rows_quarantined": sum(o.rows_quarantined for o in outcomes),
        }
        for spec in specs:
            yield MaterializeResult(asset_key=spec.key, metadata=summary)
        yield _expectations_passed(
            Lake(settings.raw_dir), checked, [o.load_id for o in outcomes if o.status == "loaded"]
        )

    return _asset


def _expectations_passed(lake: Lake, asset_key: AssetKey, load_ids: list) -> AssetCheckResult:
    """Committed loads of this run whose stored results show a failed file-level expectation (should be none:
    such a file gets a failed ledger row instead)."""
    results = lake.read_table(VALIDATIONS_DIR, load_ids) if load_ids else pl.DataFrame()
    broken = results.filter((pl.col("severity") == "file") & ~pl.col("success")) if results.height else results
    return AssetCheckResult(
        asset_key=asset_key,
        check_name="expectations_passed",
        passed=broken.height == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "loads_checked": len(load_ids),
            "loads_failing": broken["load_id"].n_unique() if broken.height else 0,
            "files": sorted(set(broken["file_name"].to_list()))[:20] if broken.height else [],
        },
    )


def build_ingest_assets() -> list:
    kinds = source_kinds()
    first = [AssetKey(["raw", t]) for k in kinds.values() if k.load_order == 0 for t in k.contracts]
    assets = [_ingest_asset(kind, [] if kind.load_order == 0 else first) for kind in kinds.values()]
    every_table = [AssetKey(["raw", t]) for k in kinds.values() for t in k.contracts]
    ledger_key, quarantine_key = AssetKey(["raw", "ledger"]), AssetKey(["raw", "quarantine"])

    @multi_asset(
        name="ingest_ledger",
        specs=[
            AssetSpec(
                ledger_key,
                group_name="ingest",
                deps=every_table,
                description="One row per file seen: hash, period, row accounting, status.",
            ),
            AssetSpec(
                quarantine_key,
                group_name="ingest",
                deps=every_table,
                description="Rows not loaded, each with a reason a person can act on.",
            ),
        ],
        check_specs=[
            AssetCheckSpec(
                "rows_accounted_for",
                asset=ledger_key,
                blocking=True,
                description="rows read = loaded + quarantined + deduplicated, every file",
            )
        ],
    )
    def ingest_ledger(context: AssetExecutionContext, sellthrough: SellthroughResource):
        settings = sellthrough.settings()
        skipped = unscanned_files(settings.inbox_dir)  # links, lock files, folders of no known kind
        for file in skipped:
            context.log.warning(f"skipped {file.file_name}: {file.reason}")
        ledger = Lake(settings.raw_dir).ledger()
        broken = ledger.filter(
            pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_quarantined") + pl.col("rows_deduplicated")
        )
        yield MaterializeResult(
            asset_key=ledger_key,
            metadata={
                "files": ledger.height,
                "files_failed": ledger.filter(pl.col("status") == "failed").height,
                "inbox_files_not_read": len(skipped),
            },
        )
        yield MaterializeResult(
            asset_key=quarantine_key,
            metadata={
                "rows_quarantined": int(ledger["rows_quarantined"].sum() or 0),
            },
        )
        yield AssetCheckResult(
            asset_key=ledger_key,
            check_name="rows_accounted_for",
            passed=broken.height == 0,
            severity=AssetCheckSeverity.ERROR,
            metadata={"files_not_adding_up": broken.height, "files": broken["file_name"].to_list()[:20]},
        )

    return [*assets, ingest_ledger]
