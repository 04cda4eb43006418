"""A contract per raw table: its Polars schema, the fields that must be present, and the row metadata."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

METADATA_SCHEMA: dict[str, pl.DataType] = {
    "_load_id": pl.String(),
    "_source_file": pl.String(),
    "_sheet": pl.String(),
    "_row_number": pl.Int32(),
    "_loaded_at": pl.Datetime("us"),
}

# A quarantine row's structured fields beside its sentence, so nothing downstream parses the sentence back:
# subject, the value as written that matched nothing (an item name or code); subject_kind, what it should have
# matched ('sku'); suggestions, the closest candidates, best first. Null where the check names no such value.
SUGGESTION = pl.Struct({"code": pl.String, "name": pl.String, "score": pl.Float64})
SUBJECT_SCHEMA: dict[str, pl.DataType] = {
    "subject": pl.String(),
    "subject_kind": pl.String(),
    "suggestions": pl.List(SUGGESTION),
}
QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    **METADATA_SCHEMA,
    "source_kind": pl.String(),
    "distributor_code": pl.String(),
    "reason_code": pl.String(),
    "reason": pl.String(),
    "raw_values": pl.String(),
    **SUBJECT_SCHEMA,  # added later: quarantine files written before have none of these columns (read them as null)
}

LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "load_id": pl.String(),
    "file_sha256": pl.String(),
    "source_kind": pl.String(),
    "distributor_code": pl.String(),
    "file_name": pl.String(),
    "file_size": pl.Int64(),
    "table_name": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "received_at": pl.Datetime("us"),
    "loaded_at": pl.Datetime("us"),
    "rows_read": pl.Int64(),
    "rows_loaded": pl.Int64(),
    "rows_quarantined": pl.Int64(),
    "rows_deduplicated": pl.Int64(),
    "rows_skipped": pl.Int64(),
    "status": pl.String(),
    "error_code": pl.String(),
    "error": pl.String(),
    # what decided how the file was read (folder, layout, masters; ingest/core/retries.py) and, for a file read
    # again after a failure was fixed, the attempt it retries
    "retry_key": pl.String(),
    "retry_of_load_id": pl.String(),
}


@dataclass(frozen=True)
class Contract:
    """What a raw table holds. `schema` excludes the metadata columns every table carries."""

    table: str
    schema: Mapping[str, pl.DataType]
    not_null: tuple[str, ...] = field(default=())

    @property
    def full_schema(self) -> dict[str, pl.DataType]:
        return {**METADATA_SCHEMA, **self.schema}

    def conform(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Exactly the contract's columns, in order, with its types; missing optional columns are null."""
        missing_required = [c for c in self.not_null if c not in frame.columns]
        if missing_required:
            raise ValueError(f"{self.table}: reader produced no {missing_required}")
        return frame.select(
            [
                (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
                for name, dtype in self.full_schema.items()
            ]
        )

    def violations(self, frame: pl.DataFrame) -> list[str]:
        """Contract breaches in a conformed frame (a reader bug, never the file's fault)."""
        return [f"{c} has nulls" for c in self.not_null if frame[c].null_count()]
