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

from ingest.core.clock import LoadClock
from ingest.core.contract import LEDGER_SCHEMA
from ingest.core.files import sha256_of
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.prepare import prepare_load, reads_in_chunks
from ingest.core.prepare import read_file as read_file  # re-exported: tests and benchmarks read files through it
from ingest.core.retries import Attempts, Decision, masters_version, retry_key
from ingest.core.reviews import ReviewStore
from ingest.core.skipped import SkippedFile, is_linked, unscanned_files
from ingest.core.source import ReadContext, ReadResult, SourceKind
from ingest.core.validation import Validator, resolve_validator
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
    status: str  # loaded | failed | duplicate | skipped (error says why)
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
            if not path.is_file() or path.name.startswith((".", "~$")) or is_linked(path, inbox):
                continue  # listed with the reason by unscanned_files
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


def layouts_beside(inbox: Path) -> Path:
    """The deployment's layouts of a data folder, `<data dir>/config/layouts`, found from its inbox."""
    return inbox.parent / "config" / "layouts"


def ingest_inbox(
    inbox: Path,
    lake: Lake,
    *,
    kinds: Iterable[str] | None = None,
    progress: Progress | None = None,
    extra_layouts_dir: Path | None = None,
    received_until: datetime | None = None,
    validator: Validator | None = None,
) -> list[FileOutcome]:
    """Load every new file of the inbox into the lake. Never raises for a bad file: it is recorded.
    `extra_layouts_dir`: the deployment's layouts, by default `config/layouts/` beside the inbox (the data folder's,
    `Settings.layouts_dir`). `validator`: the expectations (`expectations.runner.GE_VALIDATOR`), else the installed
    one (ingest/core/validation.py)."""
    validator = resolve_validator(validator)
    if extra_layouts_dir is None:
        extra_layouts_dir = layouts_beside(inbox)
    registry = source_kinds()
    outcomes: list[FileOutcome] = []
    with lake.writer_lock():
        lake.ensure(all_schemas())
        ReviewStore.beside(lake.root).ensure()  # dbt reads the review decisions as sources
        damaged = lake.set_aside_damaged()
        if damaged:
            log.error("set aside %d damaged loads (their files are read again): %s", len(damaged), ", ".join(damaged))
        removed = lake.remove_orphans()
        if removed:
            log.warning("removed %d files of interrupted loads", len(removed))
        ledger = lake.ledger()
        attempts = Attempts.from_ledger(ledger)
        clock = LoadClock(ledger["loaded_at"].max() if ledger.height else None)
        reloads = {load_id.rsplit("-", 1)[-1]: load_id for load_id in lake.damaged_load_ids()}
        files = scan_inbox(inbox, kinds, received_until)
        if kinds is None:
            outcomes += [_skipped(s) for s in unscanned_files(inbox)]
        masters: MasterData | None = None
        for done, item in enumerate(files, start=1):
            kind = registry[item.kind]
            if masters is None:  # read again after every master load: the next master row is checked against it
                masters = MasterData.from_lake(lake)
                masters_key = masters_version(lake)
            sha = sha256_of(item.path)
            key = retry_key(item.kind, item.distributor_code, masters_key, extra_layouts_dir)
            decision = attempts.decide(sha, key)
            if decision.action == "load" and sha[:8] in reloads:  # a load set aside as damaged: read again
                decision = Decision("retry", "its load was damaged in the lake", reloads[sha[:8]])
            if decision.action in ("duplicate", "skip"):
                status = "duplicate" if decision.action == "duplicate" else "skipped"
                outcomes.append(FileOutcome(item.kind, item.distributor_code, item.name, status, error=decision.reason))
            else:
                ctx = ReadContext(item.name, item.distributor_code, masters, extra_layouts_dir)
                retry_of = decision.earlier_load_id if decision.action == "retry" else None
                outcome = _load_one(item, kind, ctx, sha, lake, (key, retry_of), clock.now(), validator)
                outcomes.append(outcome)
                attempts.record(sha, {**outcome.as_dict(), "retry_key": key})
                if kind.load_order == 0 and outcome.status == "loaded":
                    masters = None
            if progress:
                progress(f"{item.kind}: {item.name}", done, len(files))
    return outcomes


def _skipped(skipped: SkippedFile) -> FileOutcome:
    log.warning("skipped %s: %s", skipped.file_name, skipped.reason)
    return FileOutcome(skipped.kind or "", "", skipped.file_name, "skipped", error=skipped.reason)


def _load_one(
    item: InboxFile,
    kind: SourceKind,
    ctx: ReadContext,
    sha: str,
    lake: Lake,
    retry: tuple[str, str | None],
    loaded_at: datetime,
    validator: Validator,
) -> FileOutcome:
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
        "retry_key": retry[0],
        "retry_of_load_id": retry[1],
    }
    if reads_in_chunks(item.path, kind):  # a large CSV of a row-by-row kind: the same steps, block by block
        from ingest.core.chunked import load_in_chunks  # imports this module

        metadata = {"_load_id": load_id, "_source_file": item.name, "_loaded_at": loaded_at}
        return load_in_chunks(item, kind, ctx, lake, ledger, metadata, validator)
    # the one code path: what `sellthrough preview` runs too (ingest/core/prepare.py)
    prepared = prepare_load(
        item.path, kind, ctx, load_id=load_id, loaded_at=loaded_at, validator=validator, lake_root=lake.root
    )
    if prepared.rejected is not None:
        rejected = prepared.rejected
        log.error("rejected %s: %s", item.name, rejected)
        _write_ledger(
            lake,
            load_id,
            {},
            prepared.quarantine,
            ledger,
            None,
            "failed",
            rejected.code,
            rejected.message,
            prepared.validations,
        )
        return FileOutcome(item.kind, item.distributor_code, item.name, "failed", load_id, error=str(rejected))
    result = prepared.result
    _write_ledger(
        lake, load_id, prepared.tables, prepared.quarantine, ledger, result, "loaded", None, None, prepared.validations
    )
    return FileOutcome(
        item.kind,
        item.distributor_code,
        item.name,
        "loaded",
        load_id,
        prepared.rows_read,
        prepared.rows_loaded,
        prepared.rows_quarantined,
        prepared.rows_deduplicated,
    )


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
