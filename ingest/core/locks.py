"""Process locks on files (flock): released by the kernel when the holder dies, so a crash never leaves one."""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

RUN_LOCK = ".run.lock"  # under the data dir: held by a whole run (ingest, dbt, publish), not one step


class LockTimeout(RuntimeError):
    pass


class RunInProgress(LockTimeout):
    """Another run of the same data dir holds the run lock."""


@contextmanager
def exclusive_lock(path: Path, *, timeout_seconds: float = 0.0, poll_seconds: float = 0.5) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing). Wait up to `timeout_seconds` for another holder;
    0 means fail at once. The lock dies with the process (kill -9 included): nothing to clean up."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_seconds
    with path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{path} is held by another run (waited {timeout_seconds:.0f} s)") from None
                time.sleep(poll_seconds)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_for_duckdb_writer(path: Path, *, timeout_seconds: float, poll_seconds: float = 1.0) -> None:
    """Return once no other process holds DuckDB's write lock on `path` (DuckDB allows one writer)."""
    import duckdb

    if not path.exists():
        return
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            duckdb.connect(str(path)).close()
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(poll_seconds)


@contextmanager
def run_lock(data_dir: Path, run_id: str, *, timeout_seconds: float) -> Iterator[None]:
    """One run at a time per data dir, for the whole run: two overlapping runs (the schedule and the sensor, cron
    and a person) never share the lake. The second waits up to `timeout_seconds`, then fails naming the holder,
    whose run id, pid and start time the lock file holds while it runs."""
    path = data_dir / RUN_LOCK
    try:
        with exclusive_lock(path, timeout_seconds=timeout_seconds):
            started = datetime.now(UTC).isoformat(timespec="seconds")
            path.write_text(f"run {run_id} (pid {os.getpid()}) since {started}\n", encoding="utf-8")
            yield
    except RunInProgress:
        raise
    except LockTimeout:
        holder = path.read_text(encoding="utf-8").strip() if path.exists() else "unknown"
        raise RunInProgress(
            f"another Sellthrough run is in progress on {data_dir} ({holder}); this run {run_id} waited "
            f"{timeout_seconds:.0f} s and stopped without touching the lake or the warehouse"
        ) from None
