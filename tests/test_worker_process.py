"""sellthrough/worker_process.py: a dbt Python model's computation in a process of its own gives what the same call
gives in the caller, fails the way it fails there, and runs in the caller when switched off."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from sellthrough.worker_process import ENABLED_ENV, WorkerFailed, run_in_worker


def test_the_call_runs_in_another_process_and_returns_its_result() -> None:
    first = pl.DataFrame({"sku": ["A", "B"], "day": [date(2026, 10, 1), None], "units": [1.5, None]})
    second = pl.DataFrame({"sku": ["C"], "day": [date(2026, 10, 2)], "units": [2.0]})
    combined = run_in_worker(pl.concat, [first, second], how="vertical")
    assert combined.equals(pl.concat([first, second], how="vertical"))
    assert combined.schema == first.schema
    assert run_in_worker(os.getpid) != os.getpid()


def test_a_failure_in_the_worker_is_raised_with_its_traceback() -> None:
    with pytest.raises(
        WorkerFailed, match=r"(?s)builtins\.int failed in its worker process.*ValueError: invalid literal"
    ):
        run_in_worker(int, "twelve")


def test_switched_off_the_call_runs_in_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENABLED_ENV, "off")
    assert run_in_worker(os.getpid) == os.getpid()
    with pytest.raises(ValueError, match="invalid literal"):
        run_in_worker(int, "twelve")


@pytest.mark.parametrize(
    ("value", "on"),
    [
        (None, True),
        ("on", True),
        ("1", True),
        ("yes", True),
        ("off", False),
        (" OFF ", False),
        ("0", False),
        ("False", False),
        ("no", False),
    ],
)
def test_the_switch_reads_the_values_every_switch_shares(
    monkeypatch: pytest.MonkeyPatch, value: str | None, on: bool
) -> None:
    """worker, forecast and anomaly switches all read their variable through sellthrough.config.env_switch."""
    from sellthrough.anomalies.nightly import ENABLED_ENV as ANOMALIES_ENV
    from sellthrough.anomalies.nightly import anomalies_enabled
    from sellthrough.forecast.warehouse_inputs import ENABLED_ENV as FORECAST_ENV
    from sellthrough.forecast.warehouse_inputs import forecast_enabled
    from sellthrough.worker_process import worker_enabled

    for name in (ENABLED_ENV, ANOMALIES_ENV, FORECAST_ENV):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert worker_enabled() is on
    assert anomalies_enabled() is on
    assert forecast_enabled() is on


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:  # the process ended while we looked
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads the process table from /proc")
def test_a_worker_whose_caller_is_killed_cleans_up_and_exits(tmp_path: Path) -> None:
    """dbt SIGKILLed while its worker computes: the worker removes its folder and ends, no orphan left computing."""
    caller = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from sellthrough.worker_process import run_in_worker; run_in_worker(time.sleep, 60)",
        ],
        env={**os.environ, "TMPDIR": str(tmp_path), ENABLED_ENV: "on"},
        cwd=Path(__file__).resolve().parent.parent,
    )
    deadline = time.monotonic() + 30
    while not (folders := list(tmp_path.glob("sellthrough-worker-*"))) or not _processes_mentioning(str(folders[0])):
        assert time.monotonic() < deadline, "the worker never started"
        time.sleep(0.1)
    assert caller.poll() is None
    caller.send_signal(signal.SIGKILL)
    caller.wait()
    deadline = time.monotonic() + 10
    while folders[0].exists() or _processes_mentioning(str(folders[0])):
        assert time.monotonic() < deadline, "the orphaned worker kept running or left its folder"
        time.sleep(0.1)
