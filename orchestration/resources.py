"""Resources, configured from the environment (SELLTHROUGH_DATA_DIR and friends; see sellthrough.config)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from dagster import ConfigurableResource, InitResourceContext

from ingest.core.locks import run_lock
from sellthrough.config import Settings

RUN_LOCK_WAIT_SECONDS = 1800  # a second run (schedule and sensor meet) waits this long for the first, then fails


class SellthroughResource(ConfigurableResource):
    """Where the inbox, the raw lake, the warehouse and the published copy live, and which files a run takes."""

    data_dir: str | None = None
    # ISO date: load only files received by the end of that day (UTC); None: every file waiting
    received_until: str | None = None
    # rebuild every incremental model from scratch (after a model's columns change, or to repair)
    full_refresh: bool = False
    # every dbt test and mart suite on whole tables (the schedule's Sunday night; else incremental models are
    # tested on the rows built since the published version: sellthrough/test_windows.py)
    full_tests: bool = False

    # how long a run waits for another run of the same data dir; None: SELLTHROUGH_RUN_LOCK_WAIT_SECONDS or 1800
    run_lock_wait_seconds: float | None = None

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["SellthroughResource"]:
        """The run lock, held from the run's first step to its last (the in-process executor initialises
        resources once per run): overlapping runs never interleave their steps on one lake and warehouse."""
        settings = self.settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        wait = self.run_lock_wait_seconds
        if wait is None:
            wait = float(os.environ.get("SELLTHROUGH_RUN_LOCK_WAIT_SECONDS", RUN_LOCK_WAIT_SECONDS))
        run_id = context.run.run_id if context.run is not None else "unknown"
        with run_lock(settings.data_dir, run_id, timeout_seconds=wait):
            yield self

    def tests_whole_tables(self) -> bool:
        """Tonight's dbt tests and mart suites read whole tables: the weekly full test run, and a full refresh
        (every row rebuilt, perhaps by changed code, landing tables included)."""
        return self.full_tests or self.full_refresh

    def settings(self) -> Settings:
        return Settings.from_env(self.data_dir)

    def received_until_datetime(self) -> datetime | None:
        if not self.received_until:
            return None
        return datetime.combine(date.fromisoformat(self.received_until), time.max)

    def export_env(self) -> Settings:
        """Put the paths in the environment of this process, which dbt's subprocess inherits."""
        settings = self.settings()
        os.environ.update(settings.dbt_env())
        return settings
