"""Known-in-advance events as weekly multipliers: the festival calendar (dim_date's seed) and the scheme master.

Both are known before the weeks they touch, so the forecast may use them for the future weeks. Their size is
learnt from history: festival uplift per festival, pooled over the network (a least-squares fit of each week's
ratio to its neighbouring ordinary weeks on the days of each festival's buying season in the week; a region has
one or two distributors and a season or two of each festival, and per-region estimates were noise: MASE 3 points
worse in bench/forecast.py), scheme uplift pooled over every distributor x SKU (the same ratio on the share of the
week a scheme runs). A festival the history has not seen yet gets no uplift: nothing is assumed that the data did
not show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

FESTIVAL_SEASON_DAYS = 21  # dbt var festival_season_days: the buying peak before a festival
BASELINE_WEEKS = 13  # the ordinary weeks around a week that define its baseline (centred)
MAX_UPLIFT = 2.0  # an estimate beyond +200% / -50% is noise on a short history
MIN_UPLIFT = -0.5


@dataclass(frozen=True)
class Festival:
    name: str
    day: date


def festival_exposure(festivals: Iterable[Festival], weeks: list[date]) -> pl.DataFrame:
    """week_start, festival_name, exposure: the share of the week's days in the festival's buying season (the
    FESTIVAL_SEASON_DAYS before it)."""
    rows: dict[str, list] = {"week_start": [], "festival_name": [], "exposure": []}
    for festival in festivals:
        season = {festival.day - timedelta(days=lead) for lead in range(1, FESTIVAL_SEASON_DAYS + 1)}
        for week in weeks:
            days = sum(1 for i in range(7) if week + timedelta(days=i) in season)
            if days:
                rows["week_start"].append(week)
                rows["festival_name"].append(festival.name)
                rows["exposure"].append(days / 7)
    return pl.DataFrame(rows, schema={"week_start": pl.Date, "festival_name": pl.String, "exposure": pl.Float64})


def _baseline(frame: pl.DataFrame, keys: list[str], event: str) -> pl.DataFrame:
    """Adds `baseline`: the median of the series' neighbouring weeks without the event (null when too few)."""
    return frame.sort([*keys, "week_start"]).with_columns(
        baseline=pl.when(pl.col(event) == 0)
        .then(pl.col("units"))
        .rolling_median(BASELINE_WEEKS, center=True, min_samples=3)
        .over(keys)
    )


def _least_squares(ratio: np.ndarray, exposure: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """beta minimising sum(weight * (ratio - 1 - exposure @ beta)^2), clipped to a believable range."""
    if exposure.size == 0 or not np.any(exposure):
        return np.zeros(exposure.shape[1] if exposure.ndim == 2 else 0)
    root = np.sqrt(weight)[:, None]
    beta, *_ = np.linalg.lstsq(exposure * root, (ratio - 1) * root[:, 0], rcond=None)
    return np.clip(beta, MIN_UPLIFT, MAX_UPLIFT)


def festival_uplift(weekly: pl.DataFrame, exposure: pl.DataFrame) -> pl.DataFrame:
    """region, festival_name, uplift (0.4 = +40% over a whole week in the season), from history.
    `weekly`: region, week_start, units (the region's total)."""
    names = sorted(exposure["festival_name"].unique().to_list())
    empty = pl.DataFrame(schema={"region": pl.String, "festival_name": pl.String, "uplift": pl.Float64})
    if not names or weekly.is_empty():
        return empty
    wide = exposure.pivot(on="festival_name", index="week_start", values="exposure", aggregate_function="sum")
    frame = weekly.join(wide, on="week_start", how="left").with_columns(
        [pl.col(n).fill_null(0.0) for n in names if n in wide.columns]
    )
    names = [n for n in names if n in frame.columns]
    frame = _baseline(frame.with_columns(any_event=pl.sum_horizontal(names)), ["region"], "any_event")
    frame = frame.filter(pl.col("baseline") > 0)
    rows = []
    for (region,), part in frame.group_by(["region"], maintain_order=True):
        ratio = (part["units"] / part["baseline"]).to_numpy()
        beta = _least_squares(ratio, part.select(names).to_numpy(), part["baseline"].to_numpy())
        seen = part.select(names).sum().row(0)
        rows += [(region, n, float(b)) for n, b, s in zip(names, beta, seen, strict=True) if s > 0]
    return pl.DataFrame(rows, schema=empty.schema, orient="row") if rows else empty


def scheme_exposure(schemes: pl.DataFrame, pairs: pl.DataFrame, weeks: list[date]) -> pl.DataFrame:
    """distributor_code, sku_code, week_start, scheme_share: the share of the week's days a scheme runs for the
    pair. `schemes`: sku_codes (list), distributor_codes (list; empty = every distributor), start_date,
    end_date."""
    schema = {"distributor_code": pl.String, "sku_code": pl.String, "week_start": pl.Date, "scheme_share": pl.Float64}
    if schemes.is_empty() or pairs.is_empty():
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame({"week_start": weeks}, schema={"week_start": pl.Date})
    days = (
        schemes.select("sku_codes", "distributor_codes", "start_date", "end_date")
        .explode("sku_codes")
        .rename({"sku_codes": "sku_code"})
        .join(frame, how="cross")
        .with_columns(
            days=(
                pl.min_horizontal(pl.col("end_date"), pl.col("week_start") + pl.duration(days=6))
                - pl.max_horizontal(pl.col("start_date"), pl.col("week_start"))
            ).dt.total_days()
            + 1
        )
        .filter(pl.col("days") > 0)
    )
    everywhere = days.filter(pl.col("distributor_codes").list.len() == 0).drop("distributor_codes")
    listed = (
        days.filter(pl.col("distributor_codes").list.len() > 0)
        .explode("distributor_codes")
        .rename({"distributor_codes": "distributor_code"})
    )
    columns = ["distributor_code", "sku_code", "week_start", "days"]
    covered = pl.concat(
        [
            pairs.join(everywhere, on="sku_code").select(columns),
            listed.join(pairs, on=["distributor_code", "sku_code"]).select(columns),
        ],
    )
    return (
        covered.group_by("distributor_code", "sku_code", "week_start")
        .agg(scheme_share=(pl.col("days").max().clip(0, 7) / 7).cast(pl.Float64))
        .select(list(schema))
    )


def scheme_uplift(weekly: pl.DataFrame) -> float:
    """One uplift for a week fully under a scheme, pooled over every distributor x SKU: weekly has
    distributor_code, sku_code, week_start, units (festivals already divided out), scheme_share."""
    if weekly.is_empty() or weekly["scheme_share"].sum() == 0:
        return 0.0
    frame = (
        _baseline(weekly, ["distributor_code", "sku_code"], "scheme_share")
        .filter(pl.col("baseline") > 0, pl.col("scheme_share") > 0)
        .sort("distributor_code", "sku_code", "week_start")
    )
    if frame.is_empty():
        return 0.0
    ratio = (frame["units"] / frame["baseline"]).to_numpy()
    beta = _least_squares(ratio, frame.select("scheme_share").to_numpy(), frame["baseline"].to_numpy())
    return float(beta[0])
