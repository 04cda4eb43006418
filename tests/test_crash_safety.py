"""kill -9 at several points of the nightly run, then a plain re-run: the marts equal those of a run that
never crashed, and no lock is left behind."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.core.locks import exclusive_lock
from orchestration.pipeline import run_nightly
from sellthrough.config import Settings
from tests.pipeline_helpers import copy_network, fingerprint, published_path

pytestmark = pytest.mark.e2e

RUN = "import sys, pathlib, orchestration.pipeline as p; p.run_nightly(pathlib.Path(sys.argv[1]))"


@pytest.mark.parametrize(
    "point",
    ["ingest.before_ledger", "nightly.before_dbt", "dbt.during_build", "publish.before_rename"],
)
def test_a_killed_run_then_a_rerun_gives_the_same_marts(
    point: str, tiny_inbox: Path, tiny_network: Path, tmp_path: Path
) -> None:
    data_dir = copy_network(tiny_inbox, tmp_path / "net")
    env = {**os.environ, "SELLTHROUGH_FAILPOINT": point}
    env.pop("SELLTHROUGH_DATA_DIR", None)
    crashed = subprocess.run(
        [sys.executable, "-c", RUN, str(data_dir)],
        env=env,
        start_new_session=True,  # the failpoint kills its own process group (dbt included), not pytest
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr.decode()[-2000:]
    assert not published_path(data_dir).exists()  # nothing half-built was ever published

    settings = Settings.from_env(data_dir)
    for lock in (settings.raw_dir / ".ingest.lock", settings.warehouse_lock_path):
        with exclusive_lock(lock, timeout_seconds=0):  # free at once: the kill released it
            pass

    outcome = run_nightly(data_dir)
    assert outcome.success, outcome.failed_steps
    assert fingerprint(published_path(data_dir)) == fingerprint(published_path(tiny_network))
    assert not list(published_path(data_dir).parent.glob(".*.tmp"))
