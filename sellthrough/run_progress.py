"""Progress of a run's ingest, seen from outside the Dagster job: the files waiting in the inbox (bytes the ledger
does not hold yet) against the ledger rows the run has written so far (one per file loaded or rejected).

The job runs in this process but reports nothing until it ends, so a thread polls the ledger folder; the command
line draws a rich progress bar on a terminal and prints plain lines (every tenth of the files) elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from ingest.core.files import sha256_of
from ingest.core.lake import LEDGER_DIR, SCHEMA_FILE, Lake
from ingest.core.runner import scan_inbox
from sellthrough.config import Settings

Report = Callable[[int, int, str | None], None]  # (files done, files expected, the last file's name)


def files_waiting(settings: Settings, received_until: datetime | None = None) -> int:
    """Distinct files (by content) in the inbox, received by `received_until`, that the ledger has not seen."""
    known = set(Lake(settings.raw_dir).ledger()["file_sha256"].to_list())
    waiting = {sha256_of(item.path) for item in scan_inbox(settings.inbox_dir, received_until=received_until)}
    return len(waiting - known)


@dataclass
class LedgerWatch:
    """Polls `raw/_ledger/` for the files written after `before` (load ids) and reports each change."""

    raw_dir: Path
    before: set[str]
    expected: int
    report: Report
    interval_seconds: float = 0.5

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-watch", daemon=True)
        self._seen: set[str] = set()

    def __enter__(self) -> LedgerWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.poll()  # the last files, written after the last tick

    def _run(self) -> None:
        while not self._stop.wait(self.interval_seconds):
            self.poll()

    def poll(self) -> None:
        folder = self.raw_dir / LEDGER_DIR
        if not folder.exists():
            return
        new = sorted(
            p for p in folder.glob("*.parquet") if p.name != SCHEMA_FILE and p.stem not in self.before | self._seen
        )
        if not new:
            return
        self._seen.update(p.stem for p in new)
        try:
            last = pl.read_parquet(new[-1], columns=["file_name"])["file_name"][0]
        except Exception:  # a ledger file being replaced under us: the name shows on the next tick
            last = None
        self.report(len(self._seen), self.expected, last)


class PlainLines:
    """A Report printing one line per tenth of the expected files (and the first file), for logs and pipes."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self._printed = -1

    def __call__(self, done: int, expected: int, last: str | None) -> None:
        step = done * 10 // max(expected, 1)
        if step > self._printed:
            self._printed = step
            self.write(f"ingest: {done} of {expected} files" + (f" (last: {last})" if last else ""))
