"""Delimited text files (CSV, TSV, `;` or `|` separated) read streaming, in bounded memory, with size caps.

A text export is decoded in whatever encoding its software chose (a BOM, UTF-16 without one, UTF-8, else the
encoding charset-normalizer names, else cp1252), and parsed by the csv module one record at a time from a line
reader that never reads more than `max_line_chars` at once. Records come out in blocks of text cells (Polars
frames `c0..cN` with `_row_number`), so a caller holds one block at a time: `ingest/core/grid.py` concatenates
them for an ordinary file, `ingest/core/chunked.py` loads a large one block by block.

Caps (environment variables override the defaults): a file larger than `max_bytes` is refused before it is read
(`SELLTHROUGH_MAX_TEXT_BYTES`, 4 GiB); a line longer than `max_line_chars` (`SELLTHROUGH_MAX_LINE_CHARS`, 1M),
a field larger than the csv module's limit (128 KiB, a quote that never closes) or a record wider than
`max_columns` (`SELLTHROUGH_MAX_COLUMNS`, 1,000) rejects the file with the line number.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.files import utf16_without_bom

ROW_NUMBER = "_row_number"
DELIMITERS = ",;\t|"
HEAD_BYTES = 1 << 20  # bytes looked at to choose the encoding and the delimiter
SCAN_BYTES = 1 << 20  # bytes decoded at a time when checking that a whole file is UTF-8
BLOCK_ROWS = 100_000  # records per block of text cells


@dataclass(frozen=True)
class TextLimits:
    max_bytes: int = 4 * 1024**3
    max_line_chars: int = 1_000_000
    max_columns: int = 1_000
    # files of kinds that read each row on its own (SourceKind.chunked_text) larger than this load in chunks
    chunk_bytes: int = 32 * 1024**2
    # a text file of any other kind is read whole: larger than this, it is refused
    whole_read_bytes: int = 256 * 1024**2

    @classmethod
    def from_env(cls) -> TextLimits:
        default = cls()
        return cls(
            max_bytes=int(os.environ.get("SELLTHROUGH_MAX_TEXT_BYTES", default.max_bytes)),
            max_line_chars=int(os.environ.get("SELLTHROUGH_MAX_LINE_CHARS", default.max_line_chars)),
            max_columns=int(os.environ.get("SELLTHROUGH_MAX_COLUMNS", default.max_columns)),
            chunk_bytes=int(os.environ.get("SELLTHROUGH_CHUNK_BYTES", default.chunk_bytes)),
            whole_read_bytes=int(os.environ.get("SELLTHROUGH_MAX_WHOLE_TEXT_BYTES", default.whole_read_bytes)),
        )

    def check_size(self, path: Path, name: str) -> None:
        size = path.stat().st_size
        if size > self.max_bytes:
            raise FileRejected(
                "file_too_large",
                f"{name} is {size:,} bytes; text files are refused above {self.max_bytes:,} "
                "(SELLTHROUGH_MAX_TEXT_BYTES): split the export by period",
            )


def detect_encoding(path: Path, name: str) -> str:
    """The file's text encoding, deciding UTF-8 only when every byte of the file decodes as UTF-8."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    bomless = utf16_without_bom(head)
    if bomless is not None:
        return bomless
    failed_at = _first_non_utf8(path)
    if failed_at is None:
        return "utf-8"
    from charset_normalizer import from_bytes

    with path.open("rb") as handle:  # judge the bytes that are not UTF-8, not an ASCII head
        handle.seek(max(0, failed_at - 100_000))
        window = handle.read(200_000)
    best = from_bytes(window).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "cp1252"
    if not _decodes(path, encoding):
        if encoding != "cp1252" and _decodes(path, "cp1252"):
            return "cp1252"
        raise FileRejected("bad_encoding", f"{name}: cannot tell the text encoding (neither UTF-8 nor {encoding})")
    return encoding


def _first_non_utf8(path: Path) -> int | None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as handle:
        while block := handle.read(SCAN_BYTES):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as handle:
        try:
            while block := handle.read(SCAN_BYTES):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def iter_blocks(
    path: Path, name: str, limits: TextLimits | None = None, *, block_rows: int = BLOCK_ROWS
) -> Iterator[pl.DataFrame]:
    """The file's records as frames of text cells (`c0..cN`, empty cells null, `_row_number` the 1-based
    record), `block_rows` at a time. Raises FileRejected for an empty or hostile file."""
    limits = limits or TextLimits.from_env()
    limits.check_size(path, name)
    encoding = detect_encoding(path, name)
    with path.open("rb") as raw:
        delimiter = sniff_delimiter(raw.read(64 * 1024).decode(encoding, errors="ignore")[:20_000])
    with path.open("rb") as raw:
        stream = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
        records = csv.reader(_bounded_lines(stream, name, limits.max_line_chars), delimiter=delimiter)
        block: list[list[str]] = []
        first_row = 1
        seen_text = False
        try:
            for record in records:
                if len(record) > limits.max_columns:
                    raise FileRejected(
                        "too_many_columns",
                        f"{name}: line {records.line_num} has {len(record):,} columns "
                        f"(limit {limits.max_columns:,}, SELLTHROUGH_MAX_COLUMNS)",
                    )
                block.append(record)
                if len(block) == block_rows:
                    frame = _frame(block, first_row)
                    seen_text = seen_text or _has_text(frame)
                    yield frame
                    first_row += len(block)
                    block = []
        except csv.Error as exc:
            raise FileRejected("corrupt_file", f"{name}: line {records.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise FileRejected("bad_encoding", f"{name}: not {encoding} text ({exc})") from None
        if block or first_row == 1:
            frame = _frame(block, first_row)
            seen_text = seen_text or _has_text(frame)
            if not seen_text:
                raise FileRejected("empty_file", f"{name} has no text in it")
            yield frame


def read_delimited(path: Path, name: str, limits: TextLimits | None = None) -> pl.DataFrame:
    """The whole file as one frame of text cells (blocks concatenated; columns c0..cN in order)."""
    frames = list(iter_blocks(path, name, limits))
    frame = pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]
    cells = sorted((c for c in frame.columns if c != ROW_NUMBER), key=lambda c: int(c[1:]))
    return frame.select(ROW_NUMBER, *cells)


def _bounded_lines(stream: io.TextIOWrapper, name: str, max_chars: int) -> Iterator[str]:
    number = 0
    while line := stream.readline(max_chars + 1):
        number += 1
        if len(line) > max_chars:
            raise FileRejected(
                "line_too_long",
                f"{name}: line {number:,} is longer than {max_chars:,} characters (SELLTHROUGH_MAX_LINE_CHARS); "
                "not a table export",
            )
        yield line


def _frame(records: list[list[str]], first_row: int) -> pl.DataFrame:
    width = max((len(r) for r in records), default=0)
    columns = {f"c{i}": [(r[i].strip() or None) if i < len(r) else None for r in records] for i in range(width)}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return frame.with_row_index(ROW_NUMBER, offset=first_row).with_columns(pl.col(ROW_NUMBER).cast(pl.Int32))


def _has_text(frame: pl.DataFrame) -> bool:
    cells = [c for c in frame.columns if c != ROW_NUMBER]
    return bool(cells) and frame.select(pl.any_horizontal(pl.col(cells).is_not_null()).any()).item()
