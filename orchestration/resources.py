"""Resources, configured from the environment (SELLTHROUGH_DATA_DIR and friends; see sellthrough.config)."""

import os

from dagster import ConfigurableResource

from sellthrough.config import Settings


class SellthroughResource(ConfigurableResource):
    """Where the inbox, the raw lake, the warehouse and the published copy live."""

    data_dir: str | None = None

    def settings(self) -> Settings:
        return Settings.from_env(self.data_dir)

    def export_env(self) -> Settings:
        """Put the paths in the environment of this process, which dbt's subprocess inherits."""
        settings = self.settings()
        os.environ.update(settings.dbt_env())
        return settings
