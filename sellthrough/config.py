"""Where things live. Every path comes from the environment, with defaults under the repo's `data/`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT  # dbt_project.yml sits at the top; its model paths point into dbt_project/
DBT_TARGET_DIR = REPO_ROOT / "dbt_project" / "target"
SWITCHED_OFF = frozenset({"off", "0", "false", "no"})


def env_switch(name: str) -> bool:
    """An on/off switch from the environment: on unless `name` holds off, 0, false or no (any case, any spaces)."""
    return os.environ.get(name, "on").strip().lower() not in SWITCHED_OFF


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_path: Path
    published_path: Path

    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def warehouse_lock_path(self) -> Path:
        """Held while dbt writes the warehouse and while it is published: one writer, always."""
        return self.warehouse_path.with_name(self.warehouse_path.name + ".lock")

    @property
    def alerts_dir(self) -> Path:
        return self.data_dir / "alerts"

    @property
    def truth_dir(self) -> Path:
        return self.data_dir / "truth"

    @property
    def config_dir(self) -> Path:
        return self.data_dir / "config"

    @property
    def layouts_dir(self) -> Path:
        """The deployment's own layouts, `<kind>/<DISTRIBUTOR>.yml`, over the repository's (ingest/core/layouts.py)."""
        return self.config_dir / "layouts"

    @classmethod
    def from_env(cls, data_dir: Path | str | None = None) -> Settings:
        base = Path(data_dir or os.environ.get("SELLTHROUGH_DATA_DIR") or REPO_ROOT / "data").resolve()
        warehouse = os.environ.get("SELLTHROUGH_DUCKDB_PATH")
        published = os.environ.get("SELLTHROUGH_PUBLISHED_PATH")
        if data_dir is not None:  # an explicit data dir wins over the environment for every path
            warehouse = published = None
        return cls(
            data_dir=base,
            warehouse_path=Path(warehouse).resolve() if warehouse else base / "warehouse" / "sellthrough.duckdb",
            published_path=Path(published).resolve() if published else base / "published" / "sellthrough.duckdb",
        )

    def dbt_env(self) -> dict[str, str]:
        """Environment dbt needs to find the raw lake and the warehouse. The pipeline builds the DuckDB warehouse it
        publishes: its target is pinned (`dev`), whatever SELLTHROUGH_DBT_TARGET a shell holds (docs/scale-out.md)."""
        return {
            "SELLTHROUGH_DBT_TARGET": "dev",
            "SELLTHROUGH_DATA_DIR": str(self.data_dir),
            "SELLTHROUGH_RAW_DIR": str(self.raw_dir),
            "SELLTHROUGH_DUCKDB_PATH": str(self.warehouse_path),
            "DBT_TARGET_PATH": str(DBT_TARGET_DIR),
            "DBT_LOG_PATH": str(DBT_PROJECT_DIR / "dbt_project" / "logs"),
        }
