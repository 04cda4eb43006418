"""The nightly load: every new file in the inbox becomes one committed load (or one failed ledger row).

Order: masters first (the other kinds map against them), then every other kind, files in arrival order.
A file's bytes decide its identity: a sha256 already in the ledger is never loaded again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from expectations.runner import LoadToValidate, LoadValidation, validate_load
from ingest.core.contract import LEDGER_SCHEMA, QUARANTINE_SCHEMA
from ingest.core.errors import FileRejected
from ingest.core.files import sha256_of
from ingest.core.lake import VALIDATIONS_SCHEMA, Lake
from ingest.core.masters import MasterData
from ingest.core.reviews import ReviewStore
from ingest.core.source import ReadContext, ReadResult, SourceKind
from ingest.registry import all_schemas, source_kinds

log = logging.getLogger("sellthrough.ingest")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class InboxFile:
    path: Path
    kind: str
    distributor_code: str
    name: str  # relative to the inbox, for people and metadata

    @property
    def received_at(self) -> datetime:
        return datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class FileOutcome:
    kind: str
    distributor_code: str
    file_name: str
    status: str  # loaded | failed | duplicate
    load_id: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_deduplicated: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def scan_inbox(
    inbox: Path, kinds: Iterable[str] | None = None, received_until: datetime | None = None
) -> list[InboxFile]:
    """Files waiting in `inbox/<kind>/<distributor>/`, oldest first. Hidden and lock files are ignored.
    With `received_until` (naive UTC), files received later are left for a later run (replays, backfills)."""
    wanted = set(kinds) if kinds is not None else None
    found: list[InboxFile] = []
    for kind in source_kinds():
        if wanted is not None and kind not in wanted:
            continue
        kind_dir = inbox / kind
        if not kind_dir.is_dir():
            continue
        for path in kind_dir.rglob("*"):
            if not path.is_file() or path.name.startswith((".", "~$")) or path.is_symlink():
                continue
            relative = path.relative_to(inbox)
            distributor = relative.parts[1] if len(relative.parts) >= 3 else ""
            item = InboxFile(path, kind, distributor, relative.as_posix())
            if received_until is None or item.received_at <= received_until:
                found.append(item)
    registry = source_kinds()
    order = list(registry)

    def rank(item: InboxFile) -> int:
        ranker = registry[item.kind].file_rank
        return ranker(item.name) if ranker is not None else 0

    return sorted(found, key=lambda f: (order.index(f.kind), rank(f), f.path.stat().st_mtime, f.name))


def new_load_id(loaded_at: datetime, sha256: str) -> str:
    return f"L{loaded_at:%Y%m%dT%H%M%S%f}-{sha256[:8]}"


def read_file(path: Path, kind: SourceKind, ctx: ReadContext) -> ReadResult:
    """Read one file as the nightly load would, without writing anything (also what `preview` uses)."""
    if not ctx.distributor_code:
        raise FileRejected("misplaced_file", f"{ctx.file_name}: files belong in inbox/{kind.name}/<distributor code>/")
    result = kind.read(path, ctx)
    accounted = result.rows_loaded + result.quarantine.height + result.rows_deduplicated
    if accounted != result.rows_read:
        raise FileRejected(
            "accounting_error",
            f"{ctx.file_name}: read {result.rows_read} rows but accounted for {accounted} "
            "(loaded + quarantined + deduplicated); nothing was loaded",
        )
    return result


def ingest_inbox(
    inbox: Path,
    lake: Lake,
    *,
    kinds: Iterable[str] | None = None,
    progress: Progress | None = None,
    extra_layouts_dir: Path | None = None,
    received_until: datetime | None = None,
) -> list[FileOutcome]:
    """Load every new file of the inbox into the lake. Never raises for a bad file: it is recorded."""
    registry = source_kinds()
    outcomes: list[FileOutcome] = []
    with lake.writer_lock():
        lake.ensure(all_schemas())
        ReviewStore.beside(lake.root).ensure()  # dbt reads the review decisions as sources
        removed = lake.remove_orphans()
        if removed:
            log.warning("removed %d files of interrupted loads", len(removed))
        known = set(lake.ledger()["file_sha256"].to_list())
        files = scan_inbox(inbox, kinds, received_until)
        masters: MasterData | None = None
        for done, item in enumerate(files, start=1):
            kind = registry[item.kind]
            if masters is None:  # read again after every master load: the next master row is checked against it
                masters = MasterData.from_lake(lake)
            sha = sha256_of(item.path)
            if sha in known:
                outcomes.append(FileOutcome(item.kind, item.distributor_code, item.name, "duplicate"))
            else:
                known.add(sha)
                ctx = ReadContext(item.name, item.distributor_code, masters, extra_layouts_dir)
                outcomes.append(_load_one(item, kind, ctx, sha, lake))
                if kind.load_order == 0 and outcomes[-1].status == "loaded":
                    masters = None
            if progress:
                progress(f"{item.kind}: {item.name}", done, len(files))
    return outcomes


def _load_one(item: InboxFile, kind: SourceKind, ctx: ReadContext, sha: str, lake: Lake) -> FileOutcome:
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    load_id = new_load_id(loaded_at, sha)
    ledger = {
        "load_id": load_id,
        "file_sha256": sha,
        "source_kind": item.kind,
        "distributor_code": item.distributor_code,
        "file_name": item.name,
        "file_size": item.path.stat().st_size,
        "received_at": item.received_at,
        "loaded_at": loaded_at,
    }
    metadata = {"_load_id": load_id, "_source_file": item.name, "_loaded_at": loaded_at}
    validations = pl.DataFrame(schema=VALIDATIONS_SCHEMA)
    try:
        result = read_file(item.path, kind, ctx)
        tables = {}
        for table, frame in result.tables.items():
            contract = kind.contracts[table]
            conformed = contract.conform(frame.with_columns(**{k: pl.lit(v) for k, v in metadata.items()}))
            problems = contract.violations(conformed)
            if problems:
                raise FileRejected("contract_violation", f"{item.name}: {'; '.join(problems)}")
            tables[table] = conformed
        quarantine = _quarantine_frame(result.quarantine, metadata, item)
        verdict = _validate(item, load_id, loaded_at, tables, result, lake)
        validations = verdict.results_frame()
        if verdict.rejected:
            raise FileRejected("expectations_failed", verdict.rejection_message())
        tables, failed_rows = verdict.split(tables)
        quarantine = pl.concat([quarantine, failed_rows]) if failed_rows.height else quarantine
        result.period = verdict.narrowed_period(tables)
        result.tables = tables  # rows_loaded counts what is left after the row-level expectations
    except FileRejected as rejected:
        log.error("rejected %s: %s", item.name, rejected)
        _write_ledger(
            lake, load_id, {}, _empty_quarantine(), ledger, None, "failed", rejected.code, rejected.message, validations
        )
        return FileOutcome(item.kind, item.distributor_code, item.name, "failed", load_id, error=str(rejected))
    except Exception as exc:  # a reader crash on one file must not stop the night
        log.exception("reader crashed on %s", item.name)
        message = f"{item.name}: could not be read ({type(exc).__name__}: {exc})"
        _write_ledger(lake, load_id, {}, _empty_quarantine(), ledger, None, "failed", "unreadable", message)
        return FileOutcome(item.kind, item.distributor_code, item.name, "failed", load_id, error=message)
    _write_ledger(lake, load_id, tables, quarantine, ledger, result, "loaded", None, None, validations)
    return FileOutcome(
        item.kind,
        item.distributor_code,
        item.name,
        "loaded",
        load_id,
        result.rows_read,
        result.rows_loaded,
        quarantine.height,
        result.rows_deduplicated,
    )


def _validate(
    item: InboxFile, load_id: str, loaded_at: datetime, tables: dict[str, pl.DataFrame], result: ReadResult, lake: Lake
) -> LoadValidation:
    """The kind's expectations (expectations/suites) on the conformed tables, before anything is written."""
    load = LoadToValidate(
        load_id,
        item.name,
        item.kind,
        item.distributor_code,
        loaded_at,
        tables,
        result.rows_read,
        result.period,
        result.derived_tables,
    )
    return validate_load(load, lake.root)


def _quarantine_frame(frame: pl.DataFrame, metadata: dict, item: InboxFile) -> pl.DataFrame:
    extra = {**metadata, "source_kind": item.kind, "distributor_code": item.distributor_code}
    frame = frame.with_columns(**{k: pl.lit(v) for k, v in extra.items()})
    return frame.select(
        [(pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c) for c, t in QUARANTINE_SCHEMA.items()]
    )


def _empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


def _write_ledger(
    lake: Lake,
    load_id: str,
    tables: dict[str, pl.DataFrame],
    quarantine: pl.DataFrame,
    base: dict,
    result: ReadResult | None,
    status: str,
    error_code: str | None,
    error: str | None,
    validations: pl.DataFrame | None = None,
) -> None:
    period = result.period if result else None
    row = {
        **base,
        "table_name": ",".join(sorted(tables)) or None,
        "period_start": period[0] if period else None,
        "period_end": period[1] if period else None,
        "rows_read": result.rows_read if result else 0,
        "rows_loaded": result.rows_loaded if result else 0,
        "rows_quarantined": quarantine.height,
        "rows_deduplicated": result.rows_deduplicated if result else 0,
        "rows_skipped": result.rows_skipped if result else 0,
        "status": status,
        "error_code": error_code,
        "error": error,
    }
    lake.write_load(load_id, tables, quarantine, pl.DataFrame([row], schema=LEDGER_SCHEMA), validations)
