"""One file through every step the nightly load runs, writing nothing: the one code path of the load.

read (sniff, grid, header, non-lines, typed values, SKU mapping, the reader's row checks) -> row accounting ->
contract (conform, not-null) -> the kind's Great Expectations suite (file-level failures reject the file, row-level
ones quarantine the row) -> the file's period (declared, else its dates; none when nothing loads).

`ingest.core.runner` commits what `prepare_load` returns (or a failed ledger row); `sellthrough preview` shows it.
Nothing else decides what a file loads, so a preview and the night agree by construction. The expectations are
the caller's `Validator` (ingest/core/validation.py): ingest imports nothing above it.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from ingest.core.chunk_session import active_session
from ingest.core.contract import QUARANTINE_SCHEMA
from ingest.core.errors import FileRejected
from ingest.core.files import sniff_format
from ingest.core.lake import VALIDATIONS_SCHEMA
from ingest.core.references import quarantine_unknown_references
from ingest.core.source import ReadContext, ReadResult, SourceKind
from ingest.core.text import TextLimits
from ingest.core.validation import LoadToValidate, LoadValidation, Validator

log = logging.getLogger("sellthrough.ingest")

# what `prepare_load` runs, in order (shown by `sellthrough preview`)
STEPS = (
    "read (format sniff, zip caps, grid, header and layout, blank/total rows, typed values, SKU mapping)",
    "reader row checks",
    "references (unknown distributor, SKU or outlet quarantined)",
    "row accounting (read = loaded + quarantined + deduplicated)",
    "contract (columns, types, not-null)",
    "Great Expectations suite (file-level rejects, row-level quarantines)",
    "period (declared by the file, else its dates; none when no row loads)",
)


def read_file(path: Path, kind: SourceKind, ctx: ReadContext) -> ReadResult:
    """The reader's result, unknown references quarantined, its row accounting checked (the first steps of
    `prepare_load`; also what a chunked load runs on each block)."""
    if not ctx.distributor_code:
        raise FileRejected("misplaced_file", f"{ctx.file_name}: files belong in inbox/{kind.name}/<distributor code>/")
    if active_session(path) is None:
        _check_whole_read_size(path, ctx.file_name, kind)
    result = quarantine_unknown_references(kind.read(path, ctx), ctx, kind)
    accounted = result.rows_loaded + result.quarantine.height + result.rows_deduplicated
    if accounted != result.rows_read:
        raise FileRejected(
            "accounting_error",
            f"{ctx.file_name}: read {result.rows_read} rows but accounted for {accounted} "
            "(loaded + quarantined + deduplicated); nothing was loaded",
        )
    return result


def reads_in_chunks(path: Path, kind: SourceKind, limits: TextLimits | None = None) -> bool:
    """A text file larger than the chunk size, of a kind whose reader reads each row on its own: the nightly load
    reads it block by block (ingest/core/chunked.py), running the same steps on each block."""
    limits = limits or TextLimits.from_env()
    return kind.chunked_text and path.stat().st_size > limits.chunk_bytes and _sniff_or_none(path) == "text"


def _sniff_or_none(path: Path) -> str | None:
    try:
        return sniff_format(path)
    except FileRejected:
        return None  # the read names the problem


def _check_whole_read_size(path: Path, name: str, kind: SourceKind) -> None:
    """A text or XML file read whole (every kind outside a chunked load) must fit the whole-read cap."""
    limits = TextLimits.from_env()
    size = path.stat().st_size
    if size > limits.whole_read_bytes and _sniff_or_none(path) in ("text", "xml"):
        advice = (
            "too large to read whole here (preview); the nightly load reads it in chunks"
            if kind.chunked_text
            else "this kind reads a file whole: split the export by period"
        )
        raise FileRejected(
            "file_too_large",
            f"{name} is {size:,} bytes, over {limits.whole_read_bytes:,} (SELLTHROUGH_MAX_WHOLE_TEXT_BYTES): {advice}",
        )


def conform_tables(result: ReadResult, kind: SourceKind, metadata: dict, file_name: str) -> dict[str, pl.DataFrame]:
    """The reader's tables with the row metadata, exactly in their contracts' schemas (a breach rejects the file)."""
    tables = {}
    for table, frame in result.tables.items():
        contract = kind.contracts[table]
        conformed = contract.conform(frame.with_columns(**{k: pl.lit(v) for k, v in metadata.items()}))
        problems = contract.violations(conformed)
        if problems:
            raise FileRejected("contract_violation", f"{file_name}: {'; '.join(problems)}")
        tables[table] = conformed
    return tables


@dataclass
class PreparedLoad:
    """What one file would commit: conformed tables, quarantined rows, expectation results and the accounting,
    or the reason the whole file is rejected (`rejected`; then nothing of it loads)."""

    kind: str
    distributor_code: str
    file_name: str
    load_id: str
    loaded_at: datetime
    tables: dict[str, pl.DataFrame]
    quarantine: pl.DataFrame
    validations: pl.DataFrame
    result: ReadResult | None = None
    rejected: FileRejected | None = None

    @property
    def status(self) -> str:
        return "failed" if self.rejected is not None else "loaded"

    @property
    def rows_read(self) -> int:
        return self.result.rows_read if self.result else 0

    @property
    def rows_loaded(self) -> int:
        return self.result.rows_loaded if self.result else 0

    @property
    def rows_quarantined(self) -> int:
        return self.quarantine.height

    @property
    def rows_deduplicated(self) -> int:
        return self.result.rows_deduplicated if self.result else 0

    @property
    def rows_skipped(self) -> int:
        return self.result.rows_skipped if self.result else 0

    @property
    def period(self) -> tuple[date, date] | None:
        return self.result.period if self.result else None

    def quarantine_reasons(self) -> dict[str, int]:
        return dict(Counter(self.quarantine["reason_code"].to_list())) if self.quarantine.height else {}


def prepare_load(
    path: Path,
    kind: SourceKind,
    ctx: ReadContext,
    *,
    load_id: str,
    loaded_at: datetime,
    validator: Validator,
    lake_root: Path | None = None,
) -> PreparedLoad:
    """Every step the nightly load runs on one file, nothing written. Never raises for a bad file: a rejection
    (or a reader crash, as `unreadable`) is returned in `rejected`. `validator` runs the kind's expectations;
    `lake_root` gives them the distributor's history (the volume check); without it that warning is skipped."""
    metadata = {"_load_id": load_id, "_source_file": ctx.file_name, "_loaded_at": loaded_at}
    prepared = PreparedLoad(
        kind.name,
        ctx.distributor_code,
        ctx.file_name,
        load_id,
        loaded_at,
        {},
        empty_quarantine(),
        pl.DataFrame(schema=VALIDATIONS_SCHEMA),
    )
    try:
        result = read_file(path, kind, ctx)
        tables = conform_tables(result, kind, metadata, ctx.file_name)
        quarantine = quarantine_frame(result.quarantine, metadata, kind.name, ctx.distributor_code)
        verdict = _validate(validator, kind.name, ctx, load_id, loaded_at, tables, result, lake_root)
        prepared.validations = verdict.results_frame()
        if verdict.rejected:
            raise FileRejected("expectations_failed", verdict.rejection_message())
        tables, failed_rows = verdict.split(tables)
        quarantine = pl.concat([quarantine, failed_rows]) if failed_rows.height else quarantine
        result.tables = tables  # rows_loaded counts what is left after the row-level expectations
        result.period = _final_period(result, verdict)
    except FileRejected as rejected:
        prepared.rejected = rejected
        return prepared
    except Exception as exc:  # a reader crash on one file must not stop the night
        log.exception("reader crashed on %s", ctx.file_name)
        message = f"{ctx.file_name}: could not be read ({type(exc).__name__}: {exc})"
        prepared.rejected = FileRejected("unreadable", message)
        prepared.validations = pl.DataFrame(schema=VALIDATIONS_SCHEMA)
        return prepared
    prepared.tables, prepared.quarantine, prepared.result = tables, quarantine, result
    return prepared


def _final_period(result: ReadResult, verdict: LoadValidation) -> tuple[date, date] | None:
    """The period the ledger records, which is what the file supersedes: none when no row loads (a file whose
    every row was quarantined replaces nothing); the declared period whole where the file declares one (a
    corrected re-send replaces every day it declares, a day it no longer has a line on included); else the
    dates of its lines, narrowed to the rows still loaded after the expectations."""
    if result.rows_loaded == 0:
        return None
    if result.period_declared is not None:
        return result.period
    return verdict.narrowed_period(result.tables)


def _validate(
    validator: Validator,
    kind: str,
    ctx: ReadContext,
    load_id: str,
    loaded_at: datetime,
    tables: dict[str, pl.DataFrame],
    result: ReadResult,
    lake_root: Path | None,
) -> LoadValidation:
    """The kind's expectations (the validator's) on the conformed tables, before anything is written."""
    load = LoadToValidate(
        load_id,
        ctx.file_name,
        kind,
        ctx.distributor_code,
        loaded_at,
        tables,
        result.rows_read,
        result.period,
        result.derived_tables,
        declared_period=result.period if result.period_declared else None,
        declared_by=result.period_declared,
    )
    return validator.validate(load, lake_root)


def quarantine_frame(frame: pl.DataFrame, metadata: dict, kind: str, distributor_code: str) -> pl.DataFrame:
    extra = {**metadata, "source_kind": kind, "distributor_code": distributor_code}
    frame = frame.with_columns(**{k: pl.lit(v) for k, v in extra.items()})
    return frame.select(
        [(pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c) for c, t in QUARANTINE_SCHEMA.items()]
    )


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)
