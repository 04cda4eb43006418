"""Shared by the POS, master-validation and snapshot tests: a small master set as real CSV files, and dbt runs
on a data folder of its own (its lake, its warehouse)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sellthrough.config import DBT_PROJECT_DIR, DBT_TARGET_DIR, Settings
from tests.conftest import write_csv

DBT = Path(sys.executable).with_name("dbt")
DISTRIBUTORS = [
    {"distributor_code": "D001", "distributor_name": "Balaji Agencies", "tier": "distributor",
     "parent_distributor_code": "", "zone": "West", "region": "West 1", "state": "Maharashtra", "town": "Pune"},
    {"distributor_code": "D002", "distributor_name": "Shree Traders", "tier": "distributor",
     "parent_distributor_code": "", "zone": "West", "region": "West 1", "state": "Maharashtra", "town": "Nashik"},
]  # fmt: skip
BEATS = [
    {"beat_code": "D001-B01", "beat_name": "Pune Camp", "distributor_code": "D001"},
    {"beat_code": "D001-B02", "beat_name": "Pune Kothrud", "distributor_code": "D001"},
    {"beat_code": "D002-B01", "beat_name": "Nashik Road", "distributor_code": "D002"},
]
GSTIN = "27AAPFU0939F1ZV"


def outlet(code: str, beat: str = "D001-B01", distributor: str = "D001", **extra: object) -> dict:
    row = {
        "outlet_code": code,
        "outlet_name": f"Store {code}",
        "distributor_code": distributor,
        "channel": "MT",
        "beat_code": beat,
        "latitude": "18.52",
        "longitude": "73.85",
        "gstin": GSTIN,
        "phone": "9876543210",
    }
    return {**row, **{k: str(v) for k, v in extra.items()}}


def write_hierarchy(inbox: Path, outlets: list[dict], name: str = "outlets.csv") -> None:
    """distributors, beats and outlets masters (the SKU master is conftest's `inbox` fixture)."""
    write_csv(inbox / "masters" / "BRAND" / "distributors.csv", DISTRIBUTORS)
    write_csv(inbox / "masters" / "BRAND" / "beats.csv", BEATS)
    write_csv(inbox / "masters" / "BRAND" / name, outlets)


def run_dbt(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """dbt against the data folder's lake and warehouse; raises with dbt's output when it fails."""
    settings = Settings.from_env(data_dir)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **settings.dbt_env()}
    command = [str(DBT), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(DBT_TARGET_DIR)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")
    return done
