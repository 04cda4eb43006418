"""Run a dbt Python model's computation in a Python process of its own.

dbt runs its Python models in its own process, on the threads that run every other node, and dbt's own work
(rendering, compiling, writing results: pure Python) holds the GIL: a model whose computation is Python too (the
anomaly detector's per-series loop and its statsmodels import, the stock-out simulations) holds it with them, and
the machine's second core idles (bench/README.md, "Session 18 (issue 19)": a sensor run at 2 or 4 threads takes the
same time at ~110% CPU). `run_in_worker(fn, *args)` runs `fn` in a new interpreter (this one's executable, the
same environment and working directory) and returns what it returns: the dbt thread that waits for it holds no
GIL, so dbt's other threads go on at full speed while the worker uses the other core.

The function and its arguments go by pickle (a function by its module and name: it must be importable, at a
module's top level; polars frames pickle as Arrow IPC) through files in a temporary directory; the worker's stdout
and stderr are the caller's. An exception in the worker is raised in the caller as WorkerFailed with the worker's
traceback. SELLTHROUGH_WORKER_PROCESS=off runs `fn` in the calling process instead (a debugger, a profiler).

A caller killed while its worker computes (dbt SIGKILLed by a cancelled run) cannot clean up: the worker watches
its parent and, once it is gone, removes the temporary directory and exits at once, so no orphan keeps a core busy
for a result nobody will read."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sellthrough.config import env_switch

ENABLED_ENV = "SELLTHROUGH_WORKER_PROCESS"
PARENT_POLL_SECONDS = 0.5
T = TypeVar("T")


class WorkerFailed(RuntimeError):
    """The function raised in the worker process (its traceback in the message), or the worker died."""


def worker_enabled() -> bool:
    return env_switch(ENABLED_ENV)


def run_in_worker(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs), computed in a process of its own (in this one when SELLTHROUGH_WORKER_PROCESS=off)."""
    if not worker_enabled():
        return fn(*args, **kwargs)
    with tempfile.TemporaryDirectory(prefix="sellthrough-worker-") as folder:
        call, result = Path(folder) / "call.pickle", Path(folder) / "result.pickle"
        with call.open("wb") as out:
            pickle.dump((fn, args, kwargs), out, protocol=pickle.HIGHEST_PROTOCOL)
        name = f"{fn.__module__}.{fn.__qualname__}"
        command = [sys.executable, "-m", __name__, str(call), str(result), str(os.getpid())]
        done = subprocess.run(command, check=False)
        if not result.is_file():
            raise WorkerFailed(f"the worker process for {name} ended with exit code {done.returncode} and no result")
        with result.open("rb") as source:
            ok, value = pickle.load(source)
    if not ok:
        raise WorkerFailed(f"{name} failed in its worker process:\n{value}")
    return value


def _exit_when_orphaned(parent: int, folder: Path) -> None:
    """Poll (a daemon thread of the worker): once the caller is gone, remove its folder and end the worker."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    shutil.rmtree(folder, ignore_errors=True)
    os._exit(3)


def _serve(call: Path, result: Path, parent: int) -> int:
    threading.Thread(target=_exit_when_orphaned, args=(parent, call.parent), daemon=True).start()
    with call.open("rb") as source:
        fn, args, kwargs = pickle.load(source)
    try:
        outcome: tuple[bool, Any] = (True, fn(*args, **kwargs))
    except BaseException:  # every failure goes back to the caller, which raises it
        outcome = (False, traceback.format_exc())
    with result.open("wb") as out:
        pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)
    return 0 if outcome[0] else 1


if __name__ == "__main__":
    sys.exit(_serve(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
