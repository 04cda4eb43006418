"""`sellthrough status`: per source kind and distributor, its last file, the period covered, freshness against the
kind's expected cadence, quarantined rows, and the files and names awaiting review on the review queue.

Cadence (days between files) comes from `<data dir>/config/cadence.yml`, else the defaults below:
    cadence:                  # per source kind: a number of days, or `master` (the distributor master's
      distributor_sales: master    # sales_file_cadence: daily = 1, weekly = 7)
      stock_statement: 31
    grace_days: 2             # a kind is late when its data ends more than cadence + grace days before the as-of day
A sales kind a distributor no longer sends, because its sales now come as the other one (a register, or Tally's
Day Book after a move to Tally) covering later days and on time, is `replaced`, not late.

The as-of day is the data's own by default: the latest business date a loaded file covers (not after the day the
last file was received), so a network replayed or generated in the past is judged against itself, not against the
calendar; `today=` or `against_today=True` judge against a given day or the calendar's today. Each row says which
(as_of, as_of_basis).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import yaml

from ingest.core.files import sha256_of
from ingest.core.lake import Lake
from ingest.core.retries import Attempts, masters_version, retry_key
from ingest.core.reviews import ReviewStore
from ingest.core.runner import scan_inbox
from ingest.core.skipped import unscanned_files
from sellthrough.config import Settings
from sellthrough.review_queue import review_occurrences, review_queue

MASTER_CADENCE = {"daily": 1, "weekly": 7, "monthly": 31}
DEFAULT_CADENCE: dict[str, int | str] = {
    "distributor_sales": "master",
    "tally_daybook": "master",
    "primary_sales": 1,
    "whatsapp": 1,
    "stock_statement": 31,
    "scheme_claims": 31,
}
FALLBACK_DAYS = 7
GRACE_DAYS = 2
CADENCE_FILE = "cadence.yml"


@dataclass(frozen=True)
class Cadence:
    by_kind: dict[str, int | str] = field(default_factory=lambda: dict(DEFAULT_CADENCE))
    grace_days: int = GRACE_DAYS

    @classmethod
    def load(cls, config_dir: Path) -> Cadence:
        """Defaults, overridden by `<config_dir>/cadence.yml`; a bad value is an error naming the file."""
        path = config_dir / CADENCE_FILE
        if not path.exists():
            return cls()
        loaded = yaml.safe_load(path.read_text()) or {}
        by_kind = {**DEFAULT_CADENCE, **(loaded.get("cadence") or {})}
        for kind, value in by_kind.items():
            if value != "master" and not (isinstance(value, int) and value > 0):
                raise ValueError(f"{path}: cadence of {kind} is {value!r}; expected a number of days or 'master'")
        grace = loaded.get("grace_days", GRACE_DAYS)
        if not isinstance(grace, int) or grace < 0:
            raise ValueError(f"{path}: grace_days is {grace!r}; expected a whole number of days")
        return cls(by_kind, grace)

    def days(self, kind: str, master_cadence: str | None) -> int:
        value = self.by_kind.get(kind, FALLBACK_DAYS)
        if value == "master":
            return MASTER_CADENCE.get(master_cadence or "", FALLBACK_DAYS)
        return int(value)


COLUMNS = (
    "source_kind",
    "distributor_code",
    "last_file",
    "last_received",
    "period_start",
    "period_end",
    "expected_every_days",
    "days_behind",
    "freshness",
    "files",
    "files_failed",
    "rows_loaded",
    "rows_quarantined",
    "files_to_review",
    "names_to_review",
    "as_of",
    "as_of_basis",
)
AS_OF_BASES = ("data", "today", "given")  # the data's latest business date, the calendar's today, a day given


# kinds that carry a distributor's secondary sales: one replaces the other when the distributor changes software
SALES_KINDS = ("distributor_sales", "tally_daybook")


def data_as_of(ledger: pl.DataFrame) -> date | None:
    """The data's own as-of day: the latest business date a loaded file (masters aside) covers, but never after the
    day the last file was received (a mistyped year in one file does not move every source's freshness)."""
    loaded = ledger.filter(
        (pl.col("status") == "loaded") & (pl.col("source_kind") != "masters") & pl.col("period_end").is_not_null()
    )
    if loaded.height == 0:
        return None
    latest, received = loaded.select(pl.col("period_end").max(), pl.col("received_at").max().dt.date()).row(0)
    return min(latest, received) if received is not None else latest


def distributor_status(
    settings: Settings, today: date | None = None, cadence: Cadence | None = None, *, against_today: bool = False
) -> pl.DataFrame:
    """One row per source kind x distributor (masters aside), in COLUMNS order; empty when nothing was seen.
    Freshness is judged as of `today` when given, else the calendar's today with `against_today`, else the data's
    own as-of day (`data_as_of`). Cadence: `cadence`, else `<data dir>/config/cadence.yml`, else the defaults."""
    lake = Lake(settings.raw_dir)
    ledger = lake.ledger()
    # an attempt read again later (its failure fixed: ingest/core/retries.py) counts no more; its retry does
    retried = ledger["retry_of_load_id"].drop_nulls().implode()
    ledger = ledger.filter((pl.col("source_kind") != "masters") & ~pl.col("load_id").is_in(retried))
    if ledger.height == 0:
        return pl.DataFrame()
    if today is not None:
        basis = "given"
    elif against_today:
        today, basis = date.today(), "today"
    else:
        today, basis = data_as_of(ledger) or date.today(), "data"
    cadence = cadence or Cadence.load(settings.config_dir)
    masters = _master_cadences(lake)
    per_kind = (
        ledger.sort("received_at", "load_id")
        .group_by("source_kind", "distributor_code")
        .agg(
            last_file=pl.col("file_name").last(),
            last_received=pl.col("received_at").last(),
            period_start=pl.col("period_start").filter(pl.col("status") == "loaded").last(),
            period_end=pl.col("period_end").filter(pl.col("status") == "loaded").last(),
            covered_until=pl.col("period_end").filter(pl.col("status") == "loaded").max(),
            files=pl.len(),
            files_failed=(pl.col("status") == "failed").sum(),
            rows_loaded=pl.col("rows_loaded").sum(),
            rows_quarantined=pl.col("rows_quarantined").sum(),
        )
        .join(masters, on="distributor_code", how="left")
    )
    expected = [
        cadence.days(kind, master) for kind, master in per_kind.select("source_kind", "sales_file_cadence").iter_rows()
    ]
    per_kind = (
        per_kind.with_columns(
            expected_every_days=pl.Series(expected, dtype=pl.Int64),
            days_behind=(pl.lit(today) - pl.col("covered_until")).dt.total_days(),
        )
        .with_columns(
            # a distributor's secondary sales arrive as one kind or the other (a register, or Tally's Day Book since
            # it moved to Tally): the kind it no longer sends is not late, it was replaced
            sales_covered_until=pl.col("covered_until")
            .filter(pl.col("source_kind").is_in(SALES_KINDS))
            .max()
            .over("distributor_code")
        )
        .with_columns(
            freshness=pl.when(pl.col("days_behind").is_null())
            .then(pl.lit("no data"))
            .when(
                pl.col("source_kind").is_in(SALES_KINDS)
                & (pl.col("covered_until") < pl.col("sales_covered_until"))
                & (pl.col("days_behind") > pl.col("expected_every_days") + cadence.grace_days)
                & (
                    (pl.lit(today) - pl.col("sales_covered_until")).dt.total_days()
                    <= pl.col("expected_every_days") + cadence.grace_days
                )
            )
            .then(pl.lit("replaced"))
            .when(pl.col("days_behind") <= pl.col("expected_every_days") + cadence.grace_days)
            .then(pl.lit("fresh"))
            .otherwise(pl.lit("late"))
        )
        .join(_awaiting_review(lake), on=["source_kind", "distributor_code"], how="left")
        .with_columns(
            pl.col("files_to_review", "names_to_review").fill_null(0),
            as_of=pl.lit(today, pl.Date),
            as_of_basis=pl.lit(basis),
        )
    )
    return per_kind.select(COLUMNS).sort("source_kind", "distributor_code")


def _awaiting_review(lake: Lake) -> pl.DataFrame:
    """Per source kind and distributor: files carrying a pending review name, and the pending names."""
    pending = {item.identity for item in review_queue(lake, ReviewStore.beside(lake.root))}
    occurrences = review_occurrences(lake)
    keep = [(k, d, n) in pending for k, d, n in occurrences.select("review_kind", "distributor_code", "key").rows()]
    return (
        occurrences.filter(pl.Series(keep, dtype=pl.Boolean))
        .group_by("source_kind", "distributor_code")
        .agg(
            files_to_review=pl.col("load_id").n_unique().cast(pl.Int64),
            names_to_review=pl.struct("review_kind", "key").n_unique().cast(pl.Int64),
        )
    )


def _master_cadences(lake: Lake) -> pl.DataFrame:
    ledger = lake.ledger().filter((pl.col("table_name") == "masters_distributors") & (pl.col("status") == "loaded"))
    if ledger.height == 0:
        return pl.DataFrame(schema={"distributor_code": pl.String, "sales_file_cadence": pl.String})
    latest = ledger.sort("received_at", "load_id")["load_id"][-1]
    return lake.read_table("masters_distributors", [latest]).select("distributor_code", "sales_file_cadence")


SKIPPED_COLUMNS = {"file_name": pl.String, "source_kind": pl.String, "reason": pl.String}


def skipped_files(settings: Settings) -> pl.DataFrame:
    """Every inbox file the next run will not load, with why (file_name, source_kind, reason): links, hidden and
    lock files, folders of no known kind, copies of files already loaded under another name, and failed files
    that are read again only once their folder, layout or masters change (ingest/core/retries.py). A file that
    was itself loaded is not listed. Hashes come from the ledger when a file's name, size and time are unchanged."""
    inbox, lake = settings.inbox_dir, Lake(settings.raw_dir)
    rows = [{"file_name": s.file_name, "source_kind": s.kind, "reason": s.reason} for s in unscanned_files(inbox)]
    ledger = lake.ledger()
    attempts = Attempts.from_ledger(ledger)
    masters = masters_version(lake, ledger)
    known = {
        (name, size, received): sha
        for name, size, received, sha in ledger.select("file_name", "file_size", "received_at", "file_sha256").rows()
    }
    for item in scan_inbox(inbox) if inbox.is_dir() else []:
        size = item.path.stat().st_size
        sha = known.get((item.name, size, item.received_at)) or sha256_of(item.path)
        decision = attempts.decide(sha, retry_key(item.kind, item.distributor_code, masters))
        if decision.action == "skip" or (
            decision.action == "duplicate" and attempts.by_sha[sha]["loaded_name"] != item.name
        ):
            rows.append({"file_name": item.name, "source_kind": item.kind, "reason": decision.reason})
    return pl.DataFrame(rows, schema=SKIPPED_COLUMNS).sort("file_name")
