"""Run the nightly Dagster job in this process (what `sellthrough run`, the demo and the tests use)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sellthrough.config import Settings


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    failed_steps: list[str]
    settings: Settings


def run_nightly(data_dir: Path | None = None, *, log_level: str = "WARNING") -> RunOutcome:
    """Ingest, dbt build (with its tests as blocking checks) and publish, as the schedule would."""
    settings = Settings.from_env(data_dir)
    os.environ.update({"SELLTHROUGH_DATA_DIR": str(settings.data_dir), **settings.dbt_env()})
    os.environ["SELLTHROUGH_PUBLISHED_PATH"] = str(settings.published_path)
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    job = defs.resolve_job_def("nightly")
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
    failed = [event.step_key for event in result.all_events if event.is_step_failure and event.step_key]
    return RunOutcome(result.success, result.run_id, failed, settings)
