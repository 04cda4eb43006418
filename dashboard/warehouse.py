"""The published warehouse as the dashboard reads it: one night at a time, read-only, and the next night as soon
as the nightly publish has swapped the file.

The publish step replaces `published/sellthrough.duckdb` by an atomic rename. A DuckDB database opened in this
process keeps reading the file it opened (the old inode), and `duckdb.connect(path)` hands back that same open
database while any connection to it lives. So each night is its own in-memory DuckDB instance with the file
ATTACHed read-only (never the instance cache), opened when the file's identity (device, inode, size, mtime)
changes. Every page run takes a cursor of the night current when it starts and keeps it to its end: all the
numbers of one page come from one night, never half of each. A night is closed when a newer one exists and no
run still uses it. External access (files, network, extensions) is off and locked once the file is attached.

Query results are cached per night (the same SQL and parameters on the same file give the same rows), so the
cache empties itself with a new night. Every query's time is recorded on the run (`Session.timings`).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

CACHE_ENTRIES = 512
OPEN_ATTEMPTS = 5


class NoPublishedWarehouse(Exception):
    """No published warehouse file yet (the first nightly run has not published)."""


@dataclass(frozen=True)
class FileIdentity:
    """What changes when the publish step renames a new file over the old one."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity | None:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class QueryTiming:
    label: str
    seconds: float
    rows: int
    cached: bool


class Night:
    """One published file, attached read-only in its own in-memory DuckDB instance."""

    def __init__(self, path: Path, identity: FileIdentity, connection: duckdb.DuckDBPyConnection) -> None:
        self.path = path
        self.identity = identity
        self.connection = connection
        self.users = 0
        self.opened_at = time.time()

    @classmethod
    def open(cls, path: Path) -> Night:
        """Attach `path` and return it with the identity of the very file attached (re-tried when a publish
        renames a new file over it in between)."""
        for _ in range(OPEN_ATTEMPTS):
            before = FileIdentity.of(path)
            if before is None:
                raise NoPublishedWarehouse(f"no published warehouse at {path}: run `sellthrough run` first")
            connection = duckdb.connect(":memory:")
            try:
                connection.execute("attach ? as night (read_only)", [str(path)])
            except duckdb.Error:
                connection.close()  # renamed away between the stat and the attach: try the new file
                time.sleep(0.05)
                continue
            if FileIdentity.of(path) == before:
                connection.execute("use night")
                connection.execute("set enable_external_access = false")
                connection.execute("set lock_configuration = true")
                return cls(path, before, connection)
            connection.close()
        raise NoPublishedWarehouse(f"{path} kept changing while it was opened ({OPEN_ATTEMPTS} attempts)")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cursor = self.connection.cursor()
        cursor.execute("use night")
        return cursor

    def close(self) -> None:
        self.connection.close()


@dataclass
class Session:
    """What one page run reads through: a cursor of one night, and the times of its queries."""

    warehouse: Warehouse
    identity: FileIdentity
    cursor: duckdb.DuckDBPyConnection
    timings: list[QueryTiming] = field(default_factory=list)

    def frame(self, sql: str, params: Sequence[object] = (), label: str = "") -> pl.DataFrame:
        """The rows of `sql` (values bound from `params`) as a Polars frame, cached for this night."""
        key = (self.identity, sql, tuple(params))
        started = time.perf_counter()
        cached = self.warehouse.cached(key)
        if cached is None:
            result = _plain(self.cursor.sql(sql, params=list(params) or None).pl())
            self.warehouse.remember(key, result)
        else:
            result = cached
        self.timings.append(
            QueryTiming(label or sql.split()[0], time.perf_counter() - started, result.height, cached is not None)
        )
        return result

    def value(self, sql: str, params: Sequence[object] = (), label: str = "") -> object:
        """The first column of the first row (None when there is no row)."""
        result = self.frame(sql, params, label)
        return result.item(0, 0) if result.height else None


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    """Sums of integers come back as HUGEINT (Int128) and sums of those as DECIMAL: plain Int64 and Float64 for
    the pages, their charts and the downloads."""
    casts = [
        pl.col(name).cast(pl.Int64 if dtype == pl.Int128 else pl.Float64)
        for name, dtype in frame.schema.items()
        if dtype == pl.Int128 or isinstance(dtype, pl.Decimal)
    ]
    return frame.with_columns(casts) if casts else frame


class Warehouse:
    """The dashboard's process-wide view of one published file: the current night, nights still in use, and
    the query cache."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._current: Night | None = None
        self._retired: list[Night] = []
        self._cache: OrderedDict[tuple, pl.DataFrame] = OrderedDict()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A cursor of the current night for one page run; a changed file opens the new night first."""
        night = self._acquire()
        cursor = night.cursor()
        try:
            yield Session(self, night.identity, cursor)
        finally:
            cursor.close()
            self._release(night)

    @property
    def identity(self) -> FileIdentity | None:
        with self._lock:
            return self._current.identity if self._current else None

    def open_nights(self) -> int:
        with self._lock:
            return (self._current is not None) + len(self._retired)

    def cached(self, key: tuple) -> pl.DataFrame | None:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def remember(self, key: tuple, frame: pl.DataFrame) -> None:
        with self._lock:
            self._cache[key] = frame
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def _acquire(self) -> Night:
        identity = FileIdentity.of(self.path)
        with self._lock:
            if self._current is not None and identity == self._current.identity:
                self._current.users += 1
                return self._current
        night = Night.open(self.path)  # outside the lock: attaching a large file takes a moment
        with self._lock:
            if self._current is not None and self._current.identity == night.identity:
                night.close()  # another run opened the same night meanwhile
            else:
                if self._current is not None:
                    self._retired.append(self._current)
                    stale = self._current.identity
                    for key in [k for k in self._cache if k[0] == stale]:
                        del self._cache[key]
                self._current = night
            self._current.users += 1
            current = self._current
            self._close_unused()
            return current

    def _release(self, night: Night) -> None:
        with self._lock:
            night.users -= 1
            self._close_unused()

    def _close_unused(self) -> None:
        for night in [n for n in self._retired if n.users == 0]:
            night.close()
            self._retired.remove(night)


_warehouses: dict[Path, Warehouse] = {}
_registry_lock = threading.Lock()


def warehouse_for(path: Path) -> Warehouse:
    """The process-wide Warehouse of a published file (one per path)."""
    resolved = Path(path).resolve()
    with _registry_lock:
        if resolved not in _warehouses:
            _warehouses[resolved] = Warehouse(resolved)
        return _warehouses[resolved]
