"""A large text file loaded in bounded memory: parsed once into blocks, then read, checked and written block by block.

For kinds whose reader reads each row on its own (`SourceKind.chunked_text`: sales registers, ERP exports), a
text file larger than `TextLimits.chunk_bytes` never sits in memory whole:

1. The file is parsed streaming (ingest/core/text.py) into blocks of text cells, kept as parquet in a scratch
   folder of the lake, while the numeric dates of every column are looked at, so the day-first decision is the
   file's, as for a whole read.
2. Each block goes through the kind's own reader as if it were the file (`ChunkSession`, ingest/core/chunk_session.py):
   the first block as it is; every later one under the file's title and header rows (as the first block's read
   found them). Identical lines are kept, as in a whole read (two identical lines of one invoice are two sales).
   Then, per block, exactly the nightly steps: unknown references quarantined, the accounting checked,
   the contract, the Great Expectations suite, the rows that fail it quarantined.
3. Rows and quarantined rows are appended to the load's parquet files as they come (one file per table, as for
   any load, renamed into place at the end); the expectation results of the blocks are merged into one result
   per expectation; the volume check against the distributor's history runs once, on the whole file; the ledger
   row is written last, as always. A block that breaks a file-level expectation rejects the whole file.

Peak memory is about one block's worth (`CHUNK_ROWS` rows) (`python -m bench csv_memory`). The one difference from
a whole read: an expectation relating rows to each other (an invoice's lines agreeing on party and date) is checked
within a block.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from ingest.core.chunk_session import ChunkSession, chunk_session
from ingest.core.contract import LEDGER_SCHEMA, QUARANTINE_SCHEMA
from ingest.core.errors import FileRejected
from ingest.core.failpoints import failpoint
from ingest.core.grid import Sheet
from ingest.core.lake import QUARANTINE_DIR, VALIDATIONS_SCHEMA, Lake, LakeWriteError
from ingest.core.prepare import conform_tables, empty_quarantine, quarantine_frame, read_file
from ingest.core.runner import FileOutcome, InboxFile, _write_ledger
from ingest.core.source import ReadContext, ReadResult, SourceKind
from ingest.core.text import ROW_NUMBER, TextLimits, iter_blocks
from ingest.core.validation import LoadToValidate, Validator

log = logging.getLogger("sellthrough.ingest")
CHUNK_ROWS = 200_000  # rows read, checked and written at a time
SCRATCH = ".chunks"  # under the lake root; emptied by every chunked load (one ingest at a time)
NUMERIC_DATE = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})$"  # as values.decide_day_first


@dataclass
class Blocks:
    """The parsed file: block files in order, and the numeric-date evidence of each column."""

    folder: Path
    paths: list[Path] = field(default_factory=list)
    first_over_12: set[str] = field(default_factory=set)  # columns with a date like 13-05-2026
    second_over_12: set[str] = field(default_factory=set)  # columns with a date like 05-13-2026

    def day_first(self) -> bool | None:
        """Month-first when some column proves it and none proves day-first; day-first when one proves it and
        none contradicts; None (each block decides, day-first without evidence) otherwise."""
        month_first = self.second_over_12 - self.first_over_12
        if month_first and not self.first_over_12:
            return False
        if self.first_over_12 and not month_first:
            return True
        return None

    def frames(self) -> Iterator[pl.DataFrame]:
        for path in self.paths:
            yield pl.read_parquet(path)


@dataclass
class Totals:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_deduplicated: int = 0
    rows_skipped: int = 0
    period: tuple[date, date] | None = None

    def add(self, result: ReadResult, loaded: int, quarantined: int, period: tuple[date, date] | None) -> None:
        self.rows_read += result.rows_read
        self.rows_loaded += loaded
        self.rows_quarantined += quarantined
        self.rows_deduplicated += result.rows_deduplicated
        self.rows_skipped += result.rows_skipped
        if period is not None:
            low, high = period
            self.period = (min(self.period[0], low), max(self.period[1], high)) if self.period else (low, high)


class Appender:
    """One parquet file per table of the load, appended block by block, renamed into place by `commit`."""

    def __init__(self, lake: Lake, load_id: str) -> None:
        self.lake, self.load_id = lake, load_id
        self.writers: dict[str, tuple[Path, pq.ParquetWriter]] = {}

    def append(self, table: str, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        arrow = frame.to_arrow()
        try:
            failpoint("ingest.chunk_write")
            if table not in self.writers:
                target = self.lake.table_dir(table) / f"{self.load_id}.parquet"
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(target.name + ".tmp")
                self.writers[table] = (temporary, pq.ParquetWriter(temporary, arrow.schema, compression="zstd"))
            self.writers[table][1].write_table(arrow)
        except OSError as failed:
            raise LakeWriteError(f"writing {table} of load {self.load_id}: {failed}") from failed

    def commit(self) -> list[str]:
        """Close, fsync and rename every file; returns the tables written."""
        try:
            for temporary, writer in self.writers.values():
                writer.close()
                with temporary.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(temporary, temporary.with_name(temporary.name.removesuffix(".tmp")))
        except OSError as failed:
            raise LakeWriteError(f"committing load {self.load_id}: {failed}") from failed
        return sorted(t for t in self.writers if t != QUARANTINE_DIR)

    def abort(self) -> None:
        for temporary, writer in self.writers.values():
            with contextlib.suppress(OSError):  # a full disk: the temporary file is removed all the same
                writer.close()
            temporary.unlink(missing_ok=True)


def load_in_chunks(
    item: InboxFile, kind: SourceKind, ctx: ReadContext, lake: Lake, ledger: dict, metadata: dict, validator: Validator
) -> FileOutcome:
    """The nightly load of one large text file (see the module docstring); never raises for a bad file."""
    load_id = ledger["load_id"]
    scratch = lake.root / SCRATCH
    shutil.rmtree(scratch, ignore_errors=True)
    appender = Appender(lake, load_id)
    validations = pl.DataFrame(schema=VALIDATIONS_SCHEMA)
    try:
        blocks = _parse(item, scratch / load_id, TextLimits.from_env())
        totals, validations = _load_blocks(item, kind, ctx, lake, metadata, blocks, appender, validator)
        written = appender.commit()
    except LakeWriteError:
        appender.abort()
        raise  # the disk, not the file: nothing committed, the run fails and is retried
    except FileRejected as rejected:
        appender.abort()
        log.error("rejected %s: %s", item.name, rejected)
        _write_ledger(
            lake, load_id, {}, empty_quarantine(), ledger, None, "failed", rejected.code, rejected.message, validations
        )
        return FileOutcome(item.kind, item.distributor_code, item.name, "failed", load_id, error=str(rejected))
    except Exception as exc:  # a reader crash on one file must not stop the night
        appender.abort()
        log.exception("reader crashed on %s", item.name)
        message = f"{item.name}: could not be read ({type(exc).__name__}: {exc})"
        _write_ledger(lake, load_id, {}, empty_quarantine(), ledger, None, "failed", "unreadable", message)
        return FileOutcome(item.kind, item.distributor_code, item.name, "failed", load_id, error=message)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    row = {
        **ledger,
        "table_name": ",".join(written) or None,
        "period_start": totals.period[0] if totals.period else None,
        "period_end": totals.period[1] if totals.period else None,
        "rows_read": totals.rows_read,
        "rows_loaded": totals.rows_loaded,
        "rows_quarantined": totals.rows_quarantined,
        "rows_deduplicated": totals.rows_deduplicated,
        "rows_skipped": totals.rows_skipped,
        "status": "loaded",
        "error_code": None,
        "error": None,
    }
    lake.write_load(load_id, {}, empty_quarantine(), pl.DataFrame([row], schema=LEDGER_SCHEMA), validations)
    return FileOutcome(
        item.kind,
        item.distributor_code,
        item.name,
        "loaded",
        load_id,
        totals.rows_read,
        totals.rows_loaded,
        totals.rows_quarantined,
        totals.rows_deduplicated,
    )


def _parse(item: InboxFile, folder: Path, limits: TextLimits) -> Blocks:
    folder.mkdir(parents=True, exist_ok=True)
    blocks = Blocks(folder)
    for number, frame in enumerate(iter_blocks(item.path, item.name, limits, block_rows=CHUNK_ROWS)):
        _note_dates(blocks, frame)
        path = folder / f"block-{number:06d}.parquet"
        try:
            frame.write_parquet(path, compression="lz4")
        except OSError as failed:
            raise LakeWriteError(f"writing {item.name}'s block {number} under {folder}: {failed}") from failed
        blocks.paths.append(path)
    return blocks


def _note_dates(blocks: Blocks, frame: pl.DataFrame) -> None:
    columns = [c for c in frame.columns if c != ROW_NUMBER]
    if not columns:
        return
    found = frame.select(
        [
            pl.col(c).str.extract(NUMERIC_DATE, i).cast(pl.Int32, strict=False).gt(12).any().alias(f"{c}|{i}")
            for c in columns
            for i in (1, 2)
        ]
    ).row(0, named=True)
    for key, over in found.items():
        if over:
            column, part = key.split("|")
            (blocks.first_over_12 if part == "1" else blocks.second_over_12).add(column)


def _load_blocks(
    item: InboxFile,
    kind: SourceKind,
    ctx: ReadContext,
    lake: Lake,
    metadata: dict,
    blocks: Blocks,
    appender: Appender,
    validator: Validator,
) -> tuple[Totals, pl.DataFrame]:
    session = ChunkSession(item.path, day_first=blocks.day_first())
    totals = Totals()
    results: list[pl.DataFrame] = []
    above_header: pl.DataFrame | None = None
    for number, frame in enumerate(blocks.frames()):
        if number > 0:
            if session.header is None or above_header is None:
                raise FileRejected("no_rows", f"{item.name}: no header row in its first {CHUNK_ROWS:,} rows")
            frame = pl.concat([above_header, frame], how="diagonal")
        session.sheet = Sheet(None, _in_column_order(frame))
        with chunk_session(session):
            result = _read_block(item, kind, ctx, session)
        if number == 0 and session.header is not None:
            header_row = session.header.header_row
            above_header = frame.filter(pl.col(ROW_NUMBER) <= header_row)
        if result is None:
            continue
        tables = conform_tables(result, kind, metadata, item.name)
        quarantine = quarantine_frame(result.quarantine, metadata, item.kind, item.distributor_code)
        load = LoadToValidate(
            metadata["_load_id"],
            item.name,
            item.kind,
            item.distributor_code,
            metadata["_loaded_at"],
            tables,
            result.rows_read,
            result.period,
            result.derived_tables,
        )
        verdict = validator.validate(load)  # the volume check runs once, on the whole file, below
        results.append(verdict.results_frame())
        if verdict.rejected:
            raise FileRejected("expectations_failed", verdict.rejection_message())
        tables, failed_rows = verdict.split(tables)
        quarantine = pl.concat([quarantine, failed_rows]) if failed_rows.height else quarantine
        result.tables = tables
        # as prepare_load: the declared period whole where the file declares one, else the loaded rows' dates
        period = result.period if result.period_declared is not None else verdict.narrowed_period(tables)
        period = period if result.rows_loaded else None
        for table, rows in tables.items():
            appender.append(table, rows)
        appender.append(QUARANTINE_DIR, quarantine.select(list(QUARANTINE_SCHEMA)))
        totals.add(result, result.rows_loaded, quarantine.height, period)
    if totals.rows_read == 0:
        raise FileRejected("no_rows", f"{item.name}: a header was found but no data rows below it")
    accounted = totals.rows_loaded + totals.rows_quarantined + totals.rows_deduplicated
    if accounted != totals.rows_read:
        raise FileRejected(
            "accounting_error",
            f"{item.name}: read {totals.rows_read} rows but accounted for {accounted}; nothing was loaded",
        )
    return totals, _merged_results(results, item, lake, metadata, totals, validator)


def _read_block(item: InboxFile, kind: SourceKind, ctx: ReadContext, session: ChunkSession) -> ReadResult | None:
    """The reader on one block; None for a block with no data rows (all blank or repeats) below a found header."""
    try:
        return read_file(item.path, kind, ctx)
    except FileRejected as rejected:
        if session.header is not None and rejected.code == "no_rows":
            return None
        raise


def _in_column_order(frame: pl.DataFrame) -> pl.DataFrame:
    cells = sorted((c for c in frame.columns if c != ROW_NUMBER), key=lambda c: int(c[1:]))
    return frame.select(ROW_NUMBER, *cells)


def _merged_results(
    results: list[pl.DataFrame], item: InboxFile, lake: Lake, metadata: dict, totals: Totals, validator: Validator
) -> pl.DataFrame:
    """One result per expectation for the whole file (counts summed, failed if any block failed), and the
    volume check on the file's total rows and period."""
    frames = [r for r in results if r.height]
    merged = pl.DataFrame(schema=VALIDATIONS_SCHEMA)
    if frames:
        every = pl.concat(frames).with_row_index("_order")
        merged = (
            every.group_by("suite", "expectation", "column_name", maintain_order=True)
            .agg(
                pl.col("load_id", "file_name", "source_kind", "distributor_code", "severity").first(),
                pl.col("success").all(),
                pl.col("unexpected_count").sum(),
                pl.col("element_count").sum(),
                pl.col("observed_value").sort_by(pl.col("success"), pl.col("_order")).first(),
                pl.col("validated_at").max(),
            )
            .with_columns(  # a count-based observation is restated for the whole file
                observed_value=pl.when(pl.col("success") & pl.col("observed_value").str.starts_with("all "))
                .then(pl.format("all {} rows as expected", pl.col("element_count")))
                .otherwise(pl.col("observed_value"))
            )
            .select(list(VALIDATIONS_SCHEMA))
        )
    whole = LoadToValidate(
        metadata["_load_id"],
        item.name,
        item.kind,
        item.distributor_code,
        metadata["_loaded_at"],
        {},
        totals.rows_read,
        totals.period,
    )
    volume = validator.volume(whole, lake.root)
    if volume is not None:
        merged = pl.concat([merged, pl.DataFrame([volume], schema=VALIDATIONS_SCHEMA)])
    return merged
