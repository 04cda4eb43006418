"""The night's anomaly detection, as dbt's Python model `int_sales_anomalies__detected` runs it: the series up to
the day every active distributor has covered, the scheme windows, the brand's deliveries (sales_stopped judged up
to the as-of date: a distributor whose files stopped is exactly that case).

On a bounded window (issue 19: the night's cost grows with new data only). Days are judged in blocks of
`Window.block_days` (fortnights from a Monday), an anomaly belonging to the block of its start date. A block's
verdicts come from one run of the detector on its days, the `history_days` before them (STL's weekly pattern and
trend, the robust z's scale, a drop's usual level, a scheme's reference share) and the `lookahead_days` after
them (the centred trend, a change point's segment, a post-scheme window): they are final once those days are
complete, and never read anything older or newer. The blocks not final yet are judged together by one run up to
the complete day and judged again each night. A block's run also claims the anomalies it places within
`claim_days` days of its block (in the last days of the block before, the first days of the block after): two runs
estimate a start a few days apart (a dip's first day, a change point) or find an anomaly near their edge that the
other does not, and an anomaly one run placed in the other's block would otherwise be neither's. An anomaly that a
block's run finds overlapping one of the same kind on the same series from an earlier block is that one (one
anomaly, not two: the earlier block's). Each anomaly carries the first day of the block whose run judged it
(`_judged_in`): a night keeps the verdicts of the blocks before the first it judges again. So a night re-judges only the
blocks whose windows hold a day that changed (the days the fact rebuilt, the days complete since the night
before) and keeps the older verdicts; a full rebuild judges every block the same way, and both give the same rows.
`sales_stopped` is a rule without fits (a run of days without sales while goods were delivered, however long ago
it began): judged on every day of the distributor series each night, at little cost."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from sellthrough.anomalies.detect import ANOMALY_SCHEMA, Settings, detect, detect_stopped
from sellthrough.config import env_switch

# most series the night judges per level (the busiest first); more cost time linearly (bench sales_anomalies)
MAX_SERIES_ENV = "SELLTHROUGH_ANOMALY_MAX_SERIES"
DEFAULT_MAX_SERIES = 2000
# "off": the model builds empty (the test suite's networks other than the shared one; see tests/conftest.py)
ENABLED_ENV = "SELLTHROUGH_ANOMALIES"
EPOCH = date(2000, 1, 3)  # a Monday: blocks are counted from it
JUDGED_IN = "_judged_in"  # the first day of the block whose run judged the anomaly (null: sales_stopped)
NIGHTLY_SCHEMA = {**ANOMALY_SCHEMA, JUDGED_IN: pl.Date}
# the kind (and level, anomaly id) of the one row of the table that is no anomaly: it carries the night's stamps
# whatever the night found (fct_sales_anomalies leaves it out)
STAMP = "_night"


@dataclass(frozen=True)
class Window:
    """The days one run of the detector reads: a block, the days before it, the days after it."""

    block_days: int = 14
    history_days: int = 84  # 12 weeks: STL's trend (29 days) and weekly pattern, a robust z's scale, a usual level
    lookahead_days: int = 28  # a post-scheme window (14 days), a drop's segment (10), STL's centred trend (+-14)
    # a run's anomalies that start this many days from its block at most are its own unless an earlier block's run
    # found them: the runs of two blocks placed starts 1 to 3 days apart across their edge (bench/README.md)
    claim_days: int = 3

    def block(self, day: date) -> int:
        return (day - EPOCH).days // self.block_days

    def start(self, block: int) -> date:
        return EPOCH + timedelta(days=block * self.block_days)

    def end(self, block: int) -> date:
        return self.start(block + 1) - timedelta(days=1)

    def final(self, block: int, complete: date) -> bool:
        """The block's verdicts cannot change any more: the days its run reads after it are complete."""
        return self.end(block) + timedelta(days=self.lookahead_days) <= complete

    def first_changed_block(self, changed_from: date) -> int:
        """The first block whose run reads `changed_from` or a later day."""
        return self.block(changed_from - timedelta(days=self.lookahead_days))

    def reads_from(self, block: int, first_day: date) -> date:
        """The first day the run of `block` reads."""
        return max(self.start(block) - timedelta(days=self.history_days), first_day)


WINDOW = Window()


def anomalies_enabled() -> bool:
    return env_switch(ENABLED_ENV)


def no_anomalies() -> pl.DataFrame:
    """The detected table with no rows (detection switched off)."""
    return pl.DataFrame(schema=NIGHTLY_SCHEMA)


def night_stamp() -> pl.DataFrame:
    """The row that carries a night's stamps (`_built_through`, `_judged_through`, `_inputs_digest`, which the model
    adds to every row) when no anomaly does. Without it a night that finds nothing (a quiet network: every night of
    the synthetic 20M-line lake) leaves the next night no record of how far it judged, and the next night judges
    every block of history again (77 s against 3 s at 20M lines: bench/README.md, warehouse_scale session 14)."""
    named = {"anomaly_id": STAMP, "level": STAMP, "kind": STAMP}
    return pl.DataFrame({name: [named.get(name)] for name in NIGHTLY_SCHEMA}, schema=NIGHTLY_SCHEMA)


def without_stamp(table: pl.DataFrame) -> pl.DataFrame:
    """The anomalies of a stored table (its stamp row left out)."""
    return table.filter(pl.col("kind") != STAMP)


def bounds(context: pl.DataFrame) -> tuple[date, date] | None:
    """(as_of_date, complete_through) from the context, None without them."""
    rows = context.filter(pl.col("fact") == "bounds")
    return (rows["start_date"][0], rows["end_date"][0]) if rows.height else None


def inputs_digest(context: pl.DataFrame, settings: Settings | None = None, window: Window = WINDOW) -> str:
    """What the kept verdicts were judged with besides the series: the settings, the window, the series limit, the
    scheme windows and festival seasons. A change judges every block again."""
    known = context.filter(pl.col("fact").is_in(["scheme", "festival"])).select(
        "fact", "level", "series_key", "scheme_code", "start_date", "end_date"
    )
    text = "\n".join(
        [repr(settings or Settings()), repr(window), os.environ.get(MAX_SERIES_ENV, str(DEFAULT_MAX_SERIES))]
        + [repr(row) for row in known.sort(known.columns, nulls_last=True).iter_rows()]
    )
    return hashlib.sha1(text.encode()).hexdigest()


def changed_since(judged_through: date | None, changed_from: date | None, complete: date) -> date | None:
    """The first day the night must judge again, from the complete day of the kept verdicts (`judged_through`),
    the first day the fact rebuilt since (`changed_from`, None: none) and tonight's complete day. None: every day
    (no kept verdicts)."""
    if judged_through is None:
        return None
    days = [judged_through + timedelta(days=1), complete + timedelta(days=1)]
    return min(days + ([changed_from] if changed_from is not None else []))


def detect_nightly(
    series: pl.DataFrame,
    context: pl.DataFrame,
    settings: Settings | None = None,
    *,
    kept: pl.DataFrame | None = None,
    since: date | None = None,
    first_day: date | None = None,
    distributors: pl.DataFrame | None = None,
    window: Window = WINDOW,
) -> pl.DataFrame:
    """The anomalies, block by block. A full rebuild by default; a night passes the verdicts it keeps (`kept`),
    the first day to judge again (`since`, from `changed_since`), the first day of any series (`first_day`), the
    series from `window.reads_from(window.first_changed_block(since), first_day)` on, and every day of the
    distributor series (`distributors`, for sales_stopped; default: those in `series`)."""
    limits = bounds(context)
    if limits is None or series.height == 0:
        return no_anomalies()
    as_of, complete = limits
    series = series.with_columns(pl.col("units").cast(pl.Float64))
    first_day = first_day or series["sale_date"].min()
    limit = int(os.environ.get(MAX_SERIES_ENV, DEFAULT_MAX_SERIES))
    schemes = context.filter(pl.col("fact").is_in(["scheme", "festival"])).select(
        "level", "series_key", "scheme_code", "start_date", "end_date"
    )
    deliveries = context.filter(pl.col("fact") == "delivery").select(
        "series_key", delivery_date="start_date", units=pl.col("units").cast(pl.Float64)
    )
    block = window.block(first_day)
    if since is not None and kept is not None:
        block = max(block, window.first_changed_block(since))
    found = [
        kept.filter((pl.col(JUDGED_IN) < window.start(block)) & (pl.col("kind") != "sales_stopped"))
        .select(list(NIGHTLY_SCHEMA))
        .cast(NIGHTLY_SCHEMA)
        if kept is not None and since is not None
        else no_anomalies()
    ]
    while window.start(block) <= complete:
        final = window.final(block, complete)
        first, last = (
            window.reads_from(block, first_day),
            min(window.end(block) + timedelta(window.lookahead_days), complete),
        )
        judged = fill_through(_busiest(series.filter(pl.col("sale_date").is_between(first, last)), limit), first, last)
        events = detect(judged, schemes, None, settings).filter(
            (pl.col("kind") != "sales_stopped")
            & (pl.col("start_date") >= window.start(block) - timedelta(days=window.claim_days))
            & (pl.col("start_date") <= (window.end(block) + timedelta(days=window.claim_days) if final else complete))
        )
        events = events.with_columns(pl.lit(window.start(block)).alias(JUDGED_IN))
        found.append(_not_found_before(events, pl.concat(found)))
        if not final:
            break
        block += 1
    distributors = distributors if distributors is not None else series.filter(pl.col("level") == "distributor")
    distributors = distributors.with_columns(pl.col("units").cast(pl.Float64))
    stopped = detect_stopped(fill_through(_busiest(distributors, limit), first_day, as_of), deliveries, settings)
    stopped = stopped.with_columns(pl.lit(None, pl.Date).alias(JUDGED_IN))
    return pl.concat([*found, stopped]).sort("level", "series_key", "start_date", "kind")


def _not_found_before(events: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """The events that do not overlap one of the same kind on the same series from an earlier block."""
    if events.height == 0 or before.height == 0:
        return events
    earlier = before.select("level", "series_key", "kind", seen_start="start_date", seen_end="end_date")
    overlapping = (
        events.join(earlier, on=["level", "series_key", "kind"])
        .filter((pl.col("seen_start") <= pl.col("end_date")) & (pl.col("start_date") <= pl.col("seen_end")))
        .select("anomaly_id")
    )
    return events.join(overlapping, on="anomaly_id", how="anti")


def fill_through(series: pl.DataFrame, first, last) -> pl.DataFrame:
    """Every series from `first` to `last`, a day without sales at zero."""
    if series.height == 0:
        return series
    days = pl.DataFrame({"sale_date": pl.date_range(first, last, "1d", eager=True)})
    keys = series.select("level", "series_key").unique()
    grid = keys.join(days, how="cross")
    filled = grid.join(series, on=["level", "series_key", "sale_date"], how="left")
    return filled.with_columns(pl.col("units").fill_null(0.0)).select("level", "series_key", "sale_date", "units")


def _busiest(series: pl.DataFrame, limit: int) -> pl.DataFrame:
    ranked = series.group_by("level", "series_key").agg(total=pl.col("units").sum())
    keep = (
        ranked.sort("total", "series_key", descending=[True, False]).group_by("level", maintain_order=True).head(limit)
    )
    return series.join(keep.select("level", "series_key"), on=["level", "series_key"], how="semi")
