"""`sellthrough preview`: one file through exactly what the nightly load runs (`ingest.core.prepare.prepare_load`:
read, row checks, accounting, contract, Great Expectations suite, period), nothing written; what it would load."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ingest.core.errors import FileRejected
from ingest.core.files import sha256_of
from ingest.core.lake import Lake
from ingest.core.masters import MasterData
from ingest.core.prepare import STEPS, PreparedLoad, prepare_load
from ingest.core.runner import layouts_beside
from ingest.core.source import ReadContext, ReadResult, SourceKind
from ingest.core.validation import Validator, resolve_validator
from ingest.registry import source_kinds

DOCUMENT_COLUMNS = ("invoice_number", "doc_number", "voucher_number", "order_id")
DATE_COLUMNS = ("invoice_date", "doc_date", "period_start", "order_date", "sale_date")
AMOUNT_COLUMNS = ("net_amount", "sales_value")
QUANTITY_COLUMNS = ("quantity_units", "closing_units", "units")
PREVIEW_DISTRIBUTOR = "PREVIEW"
EXAMPLE_ROWS = 5  # row numbers shown per quarantine reason
BRAND_KINDS = ("masters", "primary_sales")  # the brand's own files (inbox/<kind>/BRAND/), not a distributor's
GUESSABLE = {"header_not_found", "unknown_master", "no_period"}  # a kind that fails so is not the file's kind


class PreviewRejected(FileRejected):
    """The file would be rejected whole; with the preview's warnings (e.g. no distributor given)."""

    def __init__(self, rejected: FileRejected, warnings: Sequence[str] = ()) -> None:
        super().__init__(rejected.code, rejected.message)
        self.warnings = tuple(warnings)


@dataclass(frozen=True)
class Preview:
    kind: str
    file: str
    prepared: PreparedLoad
    warnings: tuple[str, ...] = ()
    layout_files: tuple[str, ...] = ()
    already_loaded: dict | None = field(default=None)  # the ledger row of the same bytes, if the lake has them

    @property
    def result(self) -> ReadResult:
        assert self.prepared.result is not None  # a rejected file raises PreviewRejected instead
        return self.prepared.result

    def rows(self) -> pl.DataFrame:
        """The rows that would load, as the raw tables would hold them (load metadata aside)."""
        frames = [
            f.drop("_load_id", "_source_file", "_loaded_at", strict=False)
            for t, f in self.prepared.tables.items()
            if f.height and t not in self.result.derived_tables
        ]
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    def quarantine_summary(self) -> list[dict]:
        """Per reason code, most rows first: the count, the first rows (sheet row numbers) and the first reason."""
        quarantine = self.prepared.quarantine
        if quarantine.height == 0:
            return []
        grouped = (
            quarantine.sort("_row_number", nulls_last=True)
            .group_by("reason_code", maintain_order=True)
            .agg(
                rows=pl.len(),
                example_rows=pl.col("_row_number").drop_nulls().head(EXAMPLE_ROWS),
                example_reason=pl.col("reason").first(),
            )
            .sort("rows", "reason_code", descending=[True, False])
        )
        return grouped.to_dicts()

    def as_dict(self) -> dict:
        rows = self.rows()
        result, prepared = self.result, self.prepared

        def first(columns: tuple[str, ...]) -> str | None:
            return next((c for c in columns if c in rows.columns), None)

        doc, day, amount, quantity = (
            first(c) for c in (DOCUMENT_COLUMNS, DATE_COLUMNS, AMOUNT_COLUMNS, QUANTITY_COLUMNS)
        )
        # a kind with its own date column name (e.g. a scaffolded one's line_date): its first date column
        day = day or next((c for c, t in rows.schema.items() if t == pl.Date and not c.startswith("_")), None)
        totals = {
            "lines": rows.height,
            "documents": rows[doc].n_unique() if doc else 0,
            "quantity": int(rows[quantity].sum() or 0) if quantity else 0,
            "net_amount": round(float(rows[amount].sum() or 0), 2) if amount else 0.0,
            "date_min": rows[day].min().isoformat() if day and rows.height else None,
            "date_max": rows[day].max().isoformat() if day and rows.height else None,
        }
        extra = source_kinds().get(self.kind)
        if extra is not None and extra.preview_totals is not None:
            totals.update(extra.preview_totals(result))
        mapping = result.mapping
        validations = prepared.validations
        warned = validations.filter(~pl.col("success")) if validations.height else validations
        return {
            "kind": self.kind,
            "file": self.file,
            "distributor_code": prepared.distributor_code,
            "status": prepared.status,
            "ran": list(STEPS),
            "rows_read": prepared.rows_read,
            "rows_loaded": prepared.rows_loaded,
            "rows_quarantined": prepared.rows_quarantined,
            "rows_deduplicated": prepared.rows_deduplicated,
            "rows_skipped": prepared.rows_skipped,
            "period": {
                "start": result.period[0].isoformat() if result.period else None,
                "end": result.period[1].isoformat() if result.period else None,
                "declared_by": result.period_declared or ("its dates" if result.period else None),
            },
            "quarantine_reasons": prepared.quarantine_reasons(),
            "quarantine": self.quarantine_summary(),
            "mapping": None
            if mapping is None
            else {
                "sheet": mapping.sheet,
                "header_row": mapping.header_row,
                "fields": mapping.fields,
                "unmapped": list(mapping.unmapped),
            },
            "layout_files": list(self.layout_files),
            "expectation_warnings": [
                {"expectation": r["expectation"], "observed": r["observed_value"]} for r in warned.iter_rows(named=True)
            ],
            "warnings": list(self.warnings),
            "already_loaded": self.already_loaded,
            "totals": totals,
        }


def preview_file(
    path: Path,
    *,
    kind: str | None = None,
    distributor_code: str | None = None,
    masters: MasterData | None = None,
    lake: Lake | None = None,
    extra_layouts_dir: Path | None = None,
    validator: Validator | None = None,
) -> Preview:
    """Run `path` through the nightly load's steps; with no `kind`, take it from an inbox path or try each kind
    until one reads the file. `lake` (the data folder's) gives the masters, the review decisions, the history
    the volume check compares with and whether these bytes were loaded already. `validator`: the expectations
    (`expectations.runner.GE_VALIDATOR`), else the installed one. Raises PreviewRejected when the night would
    reject the file."""
    validator = resolve_validator(validator)
    kinds = source_kinds()
    path = path.resolve()
    inferred_kind, inferred_distributor = _from_inbox_path(path, kinds)
    distributor = distributor_code or inferred_distributor or PREVIEW_DISTRIBUTOR
    if extra_layouts_dir is None and (inbox := _inbox_of(path)) is not None:
        extra_layouts_dir = layouts_beside(inbox)  # the data folder the file waits in
    if masters is None:
        masters = MasterData.from_lake(lake) if lake is not None and lake.root.exists() else MasterData()
    candidates = [kind or inferred_kind] if (kind or inferred_kind) else _guess_order(kinds)
    errors: list[str] = []
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    load_id = f"PREVIEW-{loaded_at:%Y%m%dT%H%M%S}"
    for name in candidates:
        if name not in kinds:
            raise FileRejected("unknown_kind", f"no source kind {name!r}; known: {', '.join(kinds)}")
        ctx = ReadContext(_file_name(path, name, distributor), distributor, masters, extra_layouts_dir)
        root = lake.root if lake is not None else None
        prepared = prepare_load(
            path, kinds[name], ctx, load_id=load_id, loaded_at=loaded_at, validator=validator, lake_root=root
        )
        rejected = prepared.rejected
        warnings = _warnings(path, name, distributor_code, inferred_distributor, masters, lake)
        if rejected is None:
            layouts = tuple(str(p) for p in ctx.layout_files(name))
            return Preview(name, str(path), prepared, tuple(warnings), layouts, _already_loaded(path, lake))
        if len(candidates) == 1 or rejected.code not in GUESSABLE:
            raise PreviewRejected(rejected, warnings)
        errors.append(f"as {name}: {rejected.message}")
    raise PreviewRejected(
        FileRejected("unknown_layout", f"{path.name}: no source kind could read it. " + " | ".join(errors)),
        _warnings(path, None, distributor_code, inferred_distributor, masters, lake),
    )


def _file_name(path: Path, kind: str, distributor: str) -> str:
    """The name the night would give the file (relative to the inbox), so name-based rules (its declared period,
    a master's entity) read it the same way."""
    parts = path.parts
    for i, part in enumerate(parts[:-2]):
        if part == "inbox" and parts[i + 1] == kind:
            return "/".join(parts[i:][1:])
    return f"{kind}/{distributor}/{path.name}"


def _warnings(
    path: Path,
    kind: str | None,
    given: str | None,
    inferred: str | None,
    masters: MasterData,
    lake: Lake | None,
) -> list[str]:
    """What makes this preview differ from the night, or what the night would find wrong before the rows."""
    found: list[str] = []
    if given is None and inferred is None and kind not in BRAND_KINDS:
        found.append(
            f"no --distributor given and {path.name} is not under inbox/<kind>/<distributor>/: read as distributor "
            f"{PREVIEW_DISTRIBUTOR!r}, so no distributor's SKU aliases or layout apply and items its aliases would "
            "map show as unknown SKUs. Pass --distributor CODE to read it as the night would."
        )
    chains, distributors = masters.chain_stores["chain_code"], masters.distributors["distributor_code"]
    if given is not None and kind == "pos_sales":
        if chains.len() and given not in chains.to_list():
            found.append(f"chain {given!r} has no store in the chain_stores master")
    elif given is not None and kind not in BRAND_KINDS and distributors.len() and given not in distributors.to_list():
        found.append(f"distributor {given!r} is not in the distributors master")
    if not masters.has_skus and kind != "masters":
        where = f" in {lake.root}" if lake is not None else ""
        found.append(
            f"no SKU master is loaded{where}: every item reads as an unknown SKU. Preview against the data folder "
            "whose masters the night uses (--data-dir)."
        )
    return found


def _already_loaded(path: Path, lake: Lake | None) -> dict | None:
    """The ledger row of a load of these exact bytes: the night would skip the file as already loaded."""
    if lake is None or not lake.root.exists():
        return None
    ledger = lake.ledger()
    same = ledger.filter(pl.col("file_sha256") == sha256_of(path)) if ledger.height else ledger
    if same.height == 0:
        return None
    row = same.sort("loaded_at").row(0, named=True)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if k != "file_sha256"}


def _from_inbox_path(path: Path, kinds: dict[str, SourceKind]) -> tuple[str | None, str | None]:
    parts = path.parts
    for i, part in enumerate(parts[:-2]):
        if part == "inbox" and parts[i + 1] in kinds:
            return parts[i + 1], parts[i + 2] if len(parts) > i + 3 else None
    return None, None


def _inbox_of(path: Path) -> Path | None:
    parents = [p for p in path.parents if p.name == "inbox"]
    return parents[0] if parents else None


def _guess_order(kinds: dict[str, SourceKind]) -> list[str]:
    order = [k for k in kinds if k != "masters"]
    return [*order, "masters"]
