"""What a chunked load (ingest/core/chunked.py) tells the shared reading steps while a reader reads one chunk.

A reader is written for a whole file: it calls `read_grid(path)`, `read_table_rows(...)` and `decide_day_first`.
While a chunk is read, a `ChunkSession` is active for that path: `read_grid` returns the chunk's rows (with the
file's title and header rows above them) instead of parsing the file, `read_table_rows` reports the header it
found (so later chunks carry exactly the rows above it and cross-chunk duplicates can be found), and
`decide_day_first` returns the file-wide decision made from every date of the file. Outside a chunked load no
session is active and every step behaves as for a whole file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ingest.core.grid import Sheet
    from ingest.core.headers import HeaderMatch


@dataclass
class ChunkSession:
    path: Path
    sheet: Sheet | None = None  # the grid a reader gets for `path`: title and header rows, then the chunk
    header: HeaderMatch | None = None  # the header the reader found in the first chunk
    text_fields: Sequence[str] = field(default_factory=tuple)
    day_first: bool | None = None  # from every numeric date of the file; None: the reader decides


_ACTIVE: ContextVar[ChunkSession | None] = ContextVar("chunk_session", default=None)


@contextmanager
def chunk_session(session: ChunkSession) -> Iterator[ChunkSession]:
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)


def active_session(path: Path | None = None) -> ChunkSession | None:
    """The session for `path` (any session when None), if a chunked load is reading it."""
    session = _ACTIVE.get()
    if session is None or (path is not None and Path(path) != session.path):
        return None
    return session


def chunk_sheet(path: Path) -> Sheet | None:
    session = active_session(path)
    return session.sheet if session is not None else None


def note_header(match: HeaderMatch, text_fields: Sequence[str]) -> None:
    session = _ACTIVE.get()
    if session is not None and session.header is None:
        session.header = match
        session.text_fields = tuple(text_fields)


def file_day_first() -> bool | None:
    session = _ACTIVE.get()
    return session.day_first if session is not None else None
