"""Rows whose distributor, SKU or outlet the brand's masters do not know are quarantined at ingest.

The warehouse tests every fact's `distributor_code`, `sku_code` and `outlet_code` against the dimensions built from
the latest master snapshots (dbt `relationships` tests). A row that would fail one of those tests must never reach
the lake: loaded, it would fail the build every night after (the lake keeps it), and removing the file would not
help. So after a reader has read a file, every loaded row is checked against the same masters the readers map
with (`MasterData`, the latest loaded snapshot of each entity), and a row naming a code the master does not hold
is moved to the quarantine with a reason a person can act on. A master that was never loaded checks nothing (a
preview on a new machine; the first night before the masters loaded).

An outlet is judged only for a distributor the outlet master has outlets of (a new distributor's are not known
yet, as the field-app reader has it). Derived tables (order lines computed from chat messages) are not checked:
their rows are not rows read, and their outlet and SKU are already resolved against the masters (or left null for
review).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingest.core.grid import ROW_NUMBER
from ingest.core.masters import MasterData
from ingest.core.rows import raw_values_json
from ingest.core.source import ReadContext, ReadResult, SourceKind

# `sellthrough preview` reads a file from outside the inbox under this placeholder when no --distributor is given
PREVIEW_DISTRIBUTOR = "PREVIEW"


@dataclass(frozen=True)
class Reference:
    column: str
    master: str  # the master entity, as people call it
    reason_code: str

    def known(self, masters: MasterData) -> pl.Series | None:
        frame = {"distributor_code": masters.distributors, "sku_code": masters.skus, "outlet_code": masters.outlets}
        codes = frame[self.column]
        return codes[self.column].drop_nulls() if codes.height else None


REFERENCES = (
    Reference("distributor_code", "distributor master (distributors.csv)", "unknown_distributor"),
    Reference("sku_code", "SKU master (skus.csv)", "unknown_sku"),
    Reference("outlet_code", "outlet master (outlets.csv)", "unknown_outlet"),
)


def quarantine_unknown_references(result: ReadResult, ctx: ReadContext, kind: SourceKind) -> ReadResult:
    """Move every loaded row whose distributor, SKU or outlet is not in its master to the quarantine. Masters
    themselves (load order 0) are checked by their own hierarchy rules (ingest/masters/hierarchy.py)."""
    if kind.load_order == 0:
        return result
    quarantined: list[pl.DataFrame] = []
    tables = dict(result.tables)
    for table, frame in result.tables.items():
        if table in result.derived_tables or frame.height == 0:
            continue
        for reference in REFERENCES:
            if reference.column not in frame.columns:
                continue
            if reference.column == "distributor_code" and ctx.distributor_code == PREVIEW_DISTRIBUTOR:
                continue
            known = reference.known(ctx.masters)
            if known is None:
                continue
            unknown = pl.col(reference.column).is_not_null() & ~pl.col(reference.column).is_in(known.implode())
            if reference.column == "outlet_code" and "distributor_code" in frame.columns:
                # a distributor with no outlet in the master yet (a new one) cannot be judged: its outlets pass
                judged = ctx.masters.outlets["distributor_code"].drop_nulls().unique()
                unknown = unknown & pl.col("distributor_code").is_in(judged.implode())
            bad = frame.filter(unknown)
            if bad.height == 0:
                continue
            frame = frame.filter(~unknown)
            quarantined.append(_as_quarantine(bad, reference, ctx, kind.name))
        tables[table] = frame
    if not quarantined:
        return result
    result.tables = tables
    result.quarantine = pl.concat([result.quarantine, *quarantined], how="diagonal_relaxed")
    return result


def _as_quarantine(rows: pl.DataFrame, reference: Reference, ctx: ReadContext, kind_name: str) -> pl.DataFrame:
    values = [c for c in rows.columns if not c.startswith("_")]
    return rows.select(
        pl.col(ROW_NUMBER).cast(pl.Int32) if ROW_NUMBER in rows.columns else pl.lit(None, pl.Int32).alias(ROW_NUMBER),
        (pl.col("_sheet") if "_sheet" in rows.columns else pl.lit(None)).cast(pl.String).alias("_sheet"),
        pl.lit(reference.reason_code).alias("reason_code"),
        _reason(reference, ctx, kind_name).alias("reason"),
        raw_values_json(values),
    )


def _reason(reference: Reference, ctx: ReadContext, kind_name: str) -> pl.Expr:
    code = pl.col(reference.column)
    what = reference.column.removesuffix("_code").replace("_", " ")
    generic = pl.format(
        "{} {} is not in the {}: add it to the master (or correct the file or its alias); "
        "the file is read again when the masters change",
        pl.lit(what),
        pl.format("'{}'", code),
        pl.lit(reference.master),
    )
    if reference.column != "distributor_code":
        return generic
    folder = pl.format(
        "distributor {} (the file's folder inbox/{}/{}/) is not in the {}: move the file to its distributor's "
        "folder or add the distributor to the master; the file is read again when either changes",
        pl.format("'{}'", code),
        pl.lit(kind_name),
        code,
        pl.lit(reference.master),
    )
    return pl.when(code == pl.lit(ctx.distributor_code)).then(folder).otherwise(generic)
