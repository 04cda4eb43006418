"""Resources, configured from the environment (SELLTHROUGH_DATA_DIR and friends; see sellthrough.config)."""

import os
from datetime import date, datetime, time

from dagster import ConfigurableResource

from sellthrough.config import Settings


class SellthroughResource(ConfigurableResource):
    """Where the inbox, the raw lake, the warehouse and the published copy live, and which files a run takes."""

    data_dir: str | None = None
    # ISO date: load only files received by the end of that day (UTC); None: every file waiting
    received_until: str | None = None
    # rebuild every incremental model from scratch (after a model's columns change, or to repair)
    full_refresh: bool = False

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
