"""The forecast is refitted only when what it is fitted on changed.

`forecast_network` reads the complete weekly series (weeks up to the last complete one on or before the as-of date),
the distributors' regions, the SKUs' brands, the festival calendar, the schemes and the horizon; the as-of date
itself is only stamped on the rows. A sales file for the current week, or one more day of it, moves the as-of date
without changing any of those (the models are deterministic), yet the fit costs 10-20 s at demo scale: the longest
node of a run for one new file (bench/README.md, freshness). So the rows carry a fingerprint of those inputs and of
the forecast code, and a build whose fingerprint equals the one of the rows in the warehouse keeps them, with the
new as-of date. A new complete week, a late file in a complete week, a master or code change: refitted.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl

from sellthrough.forecast.series import last_complete_week, weekly_series
from sellthrough.forecast.warehouse_inputs import ForecastInputs

FINGERPRINT_COLUMN = "_inputs_fingerprint"
CODE_DIR = Path(__file__).parent


def _frame_digest(frame: pl.DataFrame) -> bytes:
    """The columns, their types and the rows in any order (dim_scheme has list columns: no CSV, no sort)."""
    digest = hashlib.sha256(repr(list(frame.schema.items())).encode("utf-8"))
    for row in sorted(map(repr, frame.rows())):
        digest.update(row.encode("utf-8") + b"\n")
    return digest.digest()


def inputs_fingerprint(inputs: ForecastInputs, horizon: int) -> str:
    """sha256 over everything the fitted values depend on: the complete weeks, their last Monday, the dimensions,
    festivals and schemes the event multipliers read, the horizon and the forecast package's source."""
    digest = hashlib.sha256()
    digest.update(_frame_digest(weekly_series(inputs.daily, inputs.as_of)))
    digest.update(last_complete_week(inputs.as_of).isoformat().encode())
    for frame in (inputs.distributors, inputs.skus, inputs.schemes):
        digest.update(_frame_digest(frame))
    digest.update(repr(sorted((f.name, f.day.isoformat()) for f in inputs.festivals)).encode())
    digest.update(str(horizon).encode())
    for source in sorted(CODE_DIR.glob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()


def reuse_forecast(previous: pl.DataFrame | None, fingerprint: str, as_of: date) -> pl.DataFrame | None:
    """The rows built from the same inputs (every row carrying `fingerprint`), restamped with `as_of`; None when
    there are none (first build, other inputs, rows from before the fingerprint existed)."""
    if previous is None or previous.is_empty() or FINGERPRINT_COLUMN not in previous.columns:
        return None
    if previous[FINGERPRINT_COLUMN].n_unique() != 1 or previous[FINGERPRINT_COLUMN][0] != fingerprint:
        return None
    return previous.drop(FINGERPRINT_COLUMN).with_columns(as_of_date=pl.lit(as_of, dtype=pl.Date))
