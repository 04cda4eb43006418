"""Which known files are read again: a file is identified by its bytes, but a failure can be fixed around it.

A file whose bytes (sha256) were already loaded with rows is a duplicate: never loaded twice. A file that failed,
or loaded nothing (every row quarantined), is read again when what decides its reading changed since that
attempt: the folder it sits in (its kind and distributor), the distributor's layout files for that kind, or the
masters and review decisions it is mapped against; never when the bytes themselves are the problem (corrupt,
empty, a zip bomb, not text: BYTES_PROBLEMS). Each attempt stores that context as `retry_key` in its ledger
row; the new attempt names the one it retries (`retry_of_load_id`), so the earlier one's failure or quarantine is
shown as retried, not pending. A file that failed with the same context is skipped, with the reason, until
something changes (`sellthrough status` lists it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.lake import Lake
from ingest.core.reviews import COLUMNS as REVIEW_FILES
from ingest.core.reviews import ReviewStore

LAYOUTS_ROOT = Path(__file__).resolve().parents[1]  # ingest/<kind>/layouts/<code>.yml
# failures of the bytes themselves: no folder, layout or master can fix them, so the same bytes are never retried
BYTES_PROBLEMS = frozenset(
    {"empty_file", "corrupt_file", "zip_bomb", "not_text", "bad_encoding", "line_too_long", "too_many_columns"}
)


@dataclass(frozen=True)
class Decision:
    action: str  # load | retry | duplicate | skip
    reason: str | None = None
    earlier_load_id: str | None = None


@dataclass(frozen=True)
class Attempts:
    """Per file hash: the latest attempt and whether any attempt loaded rows."""

    by_sha: dict[str, dict]

    @classmethod
    def from_ledger(cls, ledger: pl.DataFrame) -> Attempts:
        if ledger.height == 0:
            return cls({})
        if "retry_key" not in ledger.columns:
            ledger = ledger.with_columns(retry_key=pl.lit(None, pl.String))
        loaded = (pl.col("status") == "loaded") & (pl.col("rows_loaded") > 0)
        latest = (
            ledger.sort("loaded_at", "load_id")
            .group_by("file_sha256")
            .agg(
                pl.col("load_id", "file_name", "status", "error_code", "error", "retry_key").last(),
                loaded_rows=pl.col("rows_loaded").filter(loaded).max(),
                loaded_name=pl.col("file_name").filter(loaded).first(),
                loaded_id=pl.col("load_id").filter(loaded).first(),
            )
        )
        return cls({row["file_sha256"]: row for row in latest.iter_rows(named=True)})

    def decide(self, sha: str, retry_key: str) -> Decision:
        earlier = self.by_sha.get(sha)
        if earlier is None:
            return Decision("load")
        if earlier["loaded_rows"]:
            return Decision(
                "duplicate",
                f"the same bytes were loaded as {earlier['loaded_name']} ({earlier['loaded_id']})",
                earlier["loaded_id"],
            )
        if earlier["error_code"] in BYTES_PROBLEMS:
            return Decision(
                "skip",
                f"failed before as {earlier['file_name']} ({earlier['load_id']}): [{earlier['error_code']}] "
                f"{(earlier['error'] or '').rstrip('.')}. The bytes themselves are the problem: a corrected file "
                "(new bytes) is loaded",
                earlier["load_id"],
            )
        if earlier["retry_key"] != retry_key:
            return Decision("retry", "its folder, layout or masters changed since it failed", earlier["load_id"])
        what = f"[{earlier['error_code']}] {earlier['error']}" if earlier["error"] else "every row was quarantined"
        return Decision(
            "skip",
            f"failed before as {earlier['file_name']} ({earlier['load_id']}): {what.rstrip('.')}. It is read again "
            "when its "
            "folder, its distributor's layout, the masters or the review decisions change",
            earlier["load_id"],
        )

    def record(self, sha: str, outcome_row: dict) -> None:
        """Count an attempt made in this run (a copy of the same bytes later in the run is then decided on it)."""
        loaded = outcome_row["status"] == "loaded" and outcome_row["rows_loaded"] > 0
        self.by_sha[sha] = {
            **outcome_row,
            "loaded_rows": outcome_row["rows_loaded"] if loaded else 0,
            "loaded_name": outcome_row["file_name"] if loaded else None,
            "loaded_id": outcome_row["load_id"] if loaded else None,
        }


def masters_version(lake: Lake, ledger: pl.DataFrame | None = None) -> str:
    """Changes whenever a master snapshot loads or a review decision is made."""
    ledger = lake.ledger() if ledger is None else ledger
    loaded = ledger.filter((pl.col("source_kind") == "masters") & (pl.col("status") == "loaded"))
    digest = hashlib.sha256()
    for load_id in sorted(loaded["load_id"].to_list()):
        digest.update(load_id.encode())
    store = ReviewStore.beside(lake.root)
    for name in sorted(REVIEW_FILES):
        path = store.folder / name
        if path.exists():
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def retry_key(kind: str, distributor_code: str, masters: str, extra_layouts_dir: Path | None = None) -> str:
    """What decides how a file is read: its folder, its distributor's layouts for the kind, the masters."""
    digest = hashlib.sha256(f"{kind}/{distributor_code}\n{masters}\n".encode())
    candidates = [LAYOUTS_ROOT / kind / "layouts" / f"{distributor_code}.yml"]
    if extra_layouts_dir is not None:
        candidates.append(extra_layouts_dir / kind / f"{distributor_code}.yml")
    for path in candidates:
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
