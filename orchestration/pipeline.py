"""Run the Dagster jobs in this process (what `sellthrough run`, `backfill`, the demo and the tests use).

Here, beside the definitions it runs, so that orchestration imports sellthrough and never the other way; the
command line (sellthrough/cli.py, the entry point above both) calls it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sellthrough.alerts import Alert, failure_details, failure_message, record_alert, run_error
from sellthrough.config import Settings

if TYPE_CHECKING:
    from dagster import AssetKey, RunRequest

ALERTED_BY_CALLER = "sellthrough/alerted_by"  # tag: the caller records the alert (the failure sensor does not)


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    failed_steps: list[str]
    settings: Settings
    error: str | None = None  # one paragraph for a person when the run failed (also in its alert)
    alert_path: Path | None = None


def _execute(
    job_name: str,
    data_dir: Path | None,
    run_date: date | None,
    log_level: str,
    full_refresh: bool = False,
    full_tests: bool = False,
    asset_selection: Sequence[AssetKey] | None = None,
    tags: Mapping[str, str] | None = None,
) -> RunOutcome:
    settings = Settings.from_env(data_dir)
    os.environ.update(settings.dbt_env())
    os.environ["SELLTHROUGH_PUBLISHED_PATH"] = str(settings.published_path)
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    run_config = {
        "loggers": {"console": {"config": {"log_level": log_level}}},
        "resources": {
            "sellthrough": {
                "config": {
                    "data_dir": str(data_dir) if data_dir is not None else None,
                    "received_until": run_date.isoformat() if run_date else None,
                    "full_refresh": full_refresh,
                    "full_tests": full_tests,
                }
            }
        },
    }
    result = defs.resolve_job_def(job_name).execute_in_process(
        run_config=run_config,
        instance=instance,
        raise_on_error=False,
        tags={**(tags or {}), ALERTED_BY_CALLER: "pipeline"},
        asset_selection=list(asset_selection) if asset_selection is not None else None,
    )
    failures = [event for event in result.all_events if event.is_step_failure and event.step_key]
    failed = [event.step_key for event in failures]
    if result.success:
        return RunOutcome(True, result.run_id, failed, settings)
    # a run from the command line (cron, CI, a person) alerts like a scheduled or sensor run
    message = failure_message(settings, result.run_id, failures)
    if not failures:
        message = run_error(result.all_events) or message
    alert = Alert.now(result.run_id, job_name, failed, message, details=failure_details(failures))
    path = record_alert(alert, settings.alerts_dir)
    return RunOutcome(False, result.run_id, failed, settings, message, path)


def run_nightly(
    data_dir: Path | None = None,
    *,
    run_date: date | None = None,
    log_level: str = "WARNING",
    full_refresh: bool = False,
    full_tests: bool = False,
) -> RunOutcome:
    """Ingest, dbt build (its tests block what is below them) and publish, as the schedule does.
    With `run_date`, only files received by the end of that day (UTC) are loaded. Tests on incremental models read
    the rows built since the published version unless `full_tests` (sellthrough/test_windows.py)."""
    return _execute("nightly", data_dir, run_date, log_level, full_refresh, full_tests)


def run_requested(request: RunRequest, data_dir: Path | None = None, *, log_level: str = "WARNING") -> RunOutcome:
    """The run the file-arrival sensor asked for, in this process (the daemon launches the same): the nightly
    job restricted to the request's assets (orchestration/selection.py), or all of it when the request names none."""
    return _execute("nightly", data_dir, None, log_level, asset_selection=request.asset_selection, tags=request.tags)


def backfill(start: date, end: date, data_dir: Path | None = None, *, log_level: str = "WARNING") -> list[RunOutcome]:
    """Replay the inbox day by day, in the order files were received: each day's files are loaded as they
    would have been that night (so re-sent files supersede in arrival order), then one build and publish."""
    if end < start:
        raise ValueError(f"backfill from {start} to {end}: the end is before the start")
    outcomes = []
    day = start
    while day < end:
        outcome = _execute("ingest", data_dir, day, log_level)
        outcomes.append(outcome)
        if not outcome.success:
            return outcomes
        day += timedelta(days=1)
    outcomes.append(_execute("nightly", data_dir, end, log_level))
    return outcomes
