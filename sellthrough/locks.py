"""Process locks on files (flock): released by the kernel when the holder dies, so a crash never leaves one."""

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockTimeout(RuntimeError):
    pass


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
