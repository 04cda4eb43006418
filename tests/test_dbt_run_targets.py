"""The nightly job keeps the last week's dbt run folders and removes older ones (dagster-dbt writes one a run)."""

import os
from pathlib import Path

from orchestration.dbt import prune_run_targets


def test_only_the_newest_run_folders_of_the_op_stay(tmp_path: Path) -> None:
    runs = []
    for age in range(10):  # run 0 is the newest
        run = tmp_path / f"sellthrough_dbt_assets-r{age:06d}-abcdef0"
        (run / "compiled").mkdir(parents=True)
        (run / "manifest.json").write_text("{}")
        os.utime(run, (1_700_000_000 - age * 86_400,) * 2)
        runs.append(run)
    others = [tmp_path / "compiled", tmp_path / "other_op-r000001-abcdef0"]
    for other in others:
        other.mkdir()
    (tmp_path / "manifest.json").write_text("{}")

    removed = prune_run_targets(tmp_path, prefix="sellthrough_dbt_assets", keep=7)

    assert sorted(removed) == sorted(runs[7:])
    assert all(run.is_dir() for run in runs[:7]) and not any(run.exists() for run in runs[7:])
    assert all(other.is_dir() for other in others) and (tmp_path / "manifest.json").exists()
    assert prune_run_targets(tmp_path, prefix="sellthrough_dbt_assets", keep=7) == []
