"""Anomalies in daily sales series: STL residuals with robust z-scores, change points, and two business rules.

Per series (one level and key: a distributor, a region, a SKU nationally, an outlet cluster, a scheme's SKUs at a
distributor that ran it), days without sales filled with zero:
- **STL** (statsmodels, weekly period, robust; MSTL with a yearly period too once two years are there) splits the
  series into trend + season + residual. The residual's robust z-score (median and MAD) is scanned over windows of
  1, 3 and 5 days (a sum over w days divided by sqrt(w)): days whose window passes `z_threshold` form a `spike`
  (above) or a `dip` (below), kept when they move their days `min_effect_pct` against expected. Size = actual -
  expected (trend + season) over the event's days. A spike on a distributor, region or SKU series also passes on
  a lesser z (`spike_z`) when its window's days sell `spike_ratio` times what is expected of them: a spike on the
  slow days of the week is small against the busy days' noise, large against its own days.
- **Window ratio** (distributor and region series): `dip_ratio_days` days that together sell at most `dip_ratio`
  of expected (both sides plus a small share of a usual week) are a `dip`, whatever their z: a dip on the slow days
  of the week (a distributor selling mostly on Fridays) is small in units, deep against its days.
- A SKU series' scheme windows are judged on the scheme's own level (the units inside divided by the scheme's lift,
  its days' mean over the usual): a spike inside a six-week scheme is a spike still. Festival seasons are known
  uplifts: no spike inside one is an anomaly, and only a deep dip (the window ratio's bar) is, the trend smoothing
  over the season's ramp. No spike or dip in a series' first `warmup_days` (no week before to judge them by).
- **Change points** (ruptures: the l2 cost, i.e. shifts in the mean, searched with a penalty scaled by the series'
  robust variance (KernelCPD, linear kernel) on the deseasonalised series): a segment at least `min_segment_days`
  long (shorter ones are dips) whose median and mean are both `drop_pct` below the series' usual level (the median
  and mean of the other days outside known uplifts, `drop_reference_days` of them at least) is a `sustained_drop`
  (on a SKU series, one that begins within `scheme_end_days` of a scheme's end is a `post_scheme_drop`). Both, since
  on a lumpy series the median day is a day without sales: a median can fall while the units rise. Size = days x
  (mean - usual mean) < 0. A dip inside a drop is the drop.
- **Post-scheme drops** on a scheme series (its only judgement: its other moves are its distributor's or SKUs'):
  the scheme SKUs' share of their distributor's sales over the `post_scheme_days` after the scheme ends,
  `post_scheme_drop_pct` below their usual share (a share: the beat days, festivals and the distributor's own dips
  cancel out; a plain return to the pre-scheme level is no anomaly). The usual share is the one before the window
  (days outside the scheme and the festival seasons): what the night the window completes knows. A scheme with
  fewer than `post_scheme_reference_days` such days before it (one that began with the series) has no usual share
  to fall from: it is not judged.
- **Rules**: `sales_stopped`, a distributor with no sales for `stop_days` days running while the brand
  delivered it goods in that time.
Series too short (< `min_days`), too thin (mean < `min_mean_units` a day) or too lumpy (sales on fewer than
`min_active_share` of their days: a few outlets buying on their beat days; a scheme series is judged as a share) are
not judged. A region series with the same daily sales as a more specific series (a region one distributor serves)
is judged once, at the more specific level.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

SERIES_SCHEMA = {"level": pl.String, "series_key": pl.String, "sale_date": pl.Date, "units": pl.Float64}
SCHEME_SCHEMA = {
    "level": pl.String,
    "series_key": pl.String,
    "scheme_code": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
}
PRIMARY_SCHEMA = {"series_key": pl.String, "delivery_date": pl.Date, "units": pl.Float64}
ANOMALY_SCHEMA = {
    "anomaly_id": pl.String,
    "level": pl.String,
    "series_key": pl.String,
    "kind": pl.String,
    "method": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "detected_on": pl.Date,
    "actual_units": pl.Float64,
    "expected_units": pl.Float64,
    "size_units": pl.Float64,
    "size_pct": pl.Float64,
    "score": pl.Float64,
}


@dataclass(frozen=True)
class Settings:
    z_threshold: float = 4.5  # 4.0 on whole histories; judged on bounded windows (nightly.Window) 4.5 (bench/README.md)
    windows: tuple[int, ...] = (3, 7)
    min_days: int = 28
    min_mean_units: float = 5.0
    min_active_share: float = 0.5  # a series with sales on fewer of its days is too lumpy to judge day by day
    period: int = 7
    seasonal_smoother: int = 51  # STL's seasonal window (odd): a weekly pattern that changes slowly
    trend_smoother: int = 29  # STL's trend window (odd, days): slower than any spike or dip it must show
    drop_pct: float = 30.0
    min_segment_days: int = 10  # a sustained drop lasts this long at least (shorter ones are dips)
    # days outside the segment and every known uplift that set the usual level it dropped from, at least: four weeks
    # (on a bounded run, nightly.Window, the first fortnights have only the days before them; a whole history had
    # the later days too)
    drop_reference_days: int = 28
    min_effect_pct: float = 40.0  # a spike or dip moves its days this much against expected, at least
    scheme_end_days: int = 7
    post_scheme_days: int = 14  # a scheme's SKUs are judged over the two weeks after it ends
    post_scheme_drop_pct: float = 45.0  # their share of the distributor's sales this far below their usual share
    post_scheme_reference_days: int = 7  # days before the window that give the usual share: a week, every beat day
    stop_days: int = 14  # longer than a weekly distributor's file takes to come
    penalty: float = 1.0  # PELT penalty x robust variance x log(n)
    dip_ratio_days: int = 4  # a dip: these days together sell at most `dip_ratio` of expected
    dip_ratio: float = 0.37
    # the levels judged by those ratios: a distributor's and a region's sales come every working day; an outlet
    # cluster's or a SKU's are thin enough that a few days without (or with many) sales are chance
    ratio_levels: tuple[str, ...] = ("distributor", "region")
    warmup_days: int = 14  # no spike or dip in a series' first two weeks: STL has no week before to judge them by
    # inside a scheme the series' level is the scheme's lift (an estimate) and its orders lumpier: a spike there
    # needs this z at least
    scheme_spike_z: float = 5.5
    # days outside every known uplift that measure a scheme's lift, at least: a week, every beat day once (a scheme
    # that began in a run's second week has only those days before it on a bounded window, nightly.Window)
    scheme_reference_days: int = 7
    spike_z: float = 3.0  # a spike: z at least this, and its days together sell `spike_ratio` times expected
    spike_ratio: float = 2.0
    spike_ratio_levels: tuple[str, ...] = ("distributor", "region", "sku")  # an outlet cluster's are too thin
    # and only on a series with sales on most days: one selling on a few beat days has windows at twice their
    # expected units by chance
    spike_ratio_active_share: float = 0.75
    ratio_offset_share: float = 0.05  # of a usual week's units, added to both sides (a day without sales is no -inf)


def detect(
    series: pl.DataFrame,
    schemes: pl.DataFrame | None = None,
    primary: pl.DataFrame | None = None,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """Anomalies of every series in `series` (level, series_key, sale_date, units): one row each (ANOMALY_SCHEMA).
    `schemes` (level and series_key of a `scheme` or `sku` series, scheme_code, start_date, end_date; level null and
    no scheme: a festival season on every series) are known uplifts: a series is judged inside a scheme on the
    scheme's level, no spike inside a festival season is an anomaly, their days are no reference for a series'
    usual level, and a drop right after a scheme is a post-scheme drop. `primary`
    (series_key of a `distributor` series, delivery_date, units) feeds the sales-stopped rule."""
    settings = settings or Settings()
    schemes = schemes if schemes is not None else pl.DataFrame(schema=SCHEME_SCHEMA)
    primary = primary if primary is not None else pl.DataFrame(schema=PRIMARY_SCHEMA)
    found: list[dict] = []
    judged: set[tuple] = set()  # the daily values of the series judged so far
    sold: dict[str, tuple[list[date], np.ndarray]] = {}  # a distributor's days and units (before its schemes')
    for (level, key), frame in _most_specific_first(series).group_by(["level", "series_key"], maintain_order=True):
        days, units = _daily(frame)
        values = (days[0], tuple(units.round(3))) if days else None
        if level in ALIASED_LEVELS and values in judged:
            continue  # the same sales as a more specific series (a region with one distributor): judged there
        judged.add(values)
        if level == "distributor":
            sold[key] = (days, units)
        if not _judgeable(level, units, settings):
            continue
        # known uplifts on this series: its schemes, and every series' festival seasons (level null)
        scheme = schemes.filter(
            ((pl.col("level") == level) & (pl.col("series_key") == key)) | pl.col("level").is_null()
        )
        ordinal = np.array([d.toordinal() for d in days])
        uplifted = np.zeros(len(days), dtype=bool)
        for start, end in scheme.select("start_date", "end_date").iter_rows():
            uplifted |= (ordinal >= start.toordinal()) & (ordinal <= end.toordinal())
        if level == "scheme":  # judged for post-scheme drops only: its other moves are its distributor's or SKUs'
            found += _post_scheme(key, days, units, sold.get(key.split("|")[-1]), scheme, uplifted, settings)
            continue
        expected, residual = decompose(units, settings)
        drops = _level_events(level, key, days, units, expected, scheme, uplifted, settings)
        lift = _scheme_lift(ordinal, units, scheme, uplifted, settings)
        unmeasured = np.isnan(lift)  # a scheme's days with no level to judge them by: its uplift, as a festival's
        lift = np.where(unmeasured, 1.0, lift)
        lifted = lift != 1.0
        if lifted.any():  # a scheme's days judged on its own level: a spike inside a scheme is a spike still
            inside, inside_residual = decompose(units / lift, settings)
            expected = np.where(lifted, inside * lift, expected)
            residual = np.where(lifted, inside_residual, residual)  # in the units the series sells without it
        residual = _residual_events(level, key, days, units, expected, residual, settings)
        if level in settings.ratio_levels:
            ratio = _ratio_dips(level, key, days, units, expected, settings)
            residual += [e for e in ratio if not _within(e, residual)]
        festive = _festive(ordinal, schemes) | unmeasured
        in_scheme = uplifted & ~festive
        warm = days[0] + timedelta(days=settings.warmup_days)  # before: no weeks before to set the weekly pattern
        found += [
            e
            for e in residual
            if e["start_date"] >= warm
            and not _within(e, drops)
            and not _expected_uplift(e, days, festive, ratio_offset(units, settings), settings)
            and not (e["kind"] == "spike" and _mostly(e, days, in_scheme) and e["score"] < settings.scheme_spike_z)
        ]
        found += drops
        if level == "distributor":
            delivered = primary.filter(pl.col("series_key") == key)
            found += _stopped(level, key, days, units, delivered, settings)
    out = pl.DataFrame(found, schema=ANOMALY_SCHEMA) if found else pl.DataFrame(schema=ANOMALY_SCHEMA)
    return out.sort("level", "series_key", "start_date", "kind")


def _judgeable(level: str, units: np.ndarray, settings: Settings) -> bool:
    """Long enough, selling enough, and not too lumpy (sales on most days; a scheme series is judged as a share)."""
    lumpy = float((units > 0).mean()) < settings.min_active_share
    return not (
        len(units) < settings.min_days or float(units.mean()) < settings.min_mean_units or (lumpy and level != "scheme")
    )


def detect_stopped(series: pl.DataFrame, primary: pl.DataFrame, settings: Settings | None = None) -> pl.DataFrame:
    """The `sales_stopped` rule alone on the distributor series in `series` (the rows `detect` gives it, without
    the fits): no STL or change points, so the night can run it on every day of history at little cost."""
    settings = settings or Settings()
    found: list[dict] = []
    for (level, key), frame in (
        series.filter(pl.col("level") == "distributor")
        .sort("series_key", "sale_date")
        .group_by(["level", "series_key"], maintain_order=True)
    ):
        days, units = _daily(frame)
        if _judgeable(level, units, settings):
            found += _stopped(level, key, days, units, primary.filter(pl.col("series_key") == key), settings)
    out = pl.DataFrame(found, schema=ANOMALY_SCHEMA) if found else pl.DataFrame(schema=ANOMALY_SCHEMA)
    return out.sort("level", "series_key", "start_date", "kind")


# levels from the most specific to the broadest; a broader series with the same daily sales as a more specific one
# (a region served by one distributor) is that series, judged once, at the more specific level
LEVEL_ORDER = ("distributor", "scheme", "outlet_cluster", "sku", "region")
ALIASED_LEVELS = {"region"}


def _most_specific_first(series: pl.DataFrame) -> pl.DataFrame:
    rank = pl.col("level").replace_strict(
        {level: i for i, level in enumerate(LEVEL_ORDER)}, default=len(LEVEL_ORDER), return_dtype=pl.Int32
    )
    return series.sort(rank, "level", "series_key", "sale_date")


def _daily(frame: pl.DataFrame) -> tuple[list[date], np.ndarray]:
    first, last = frame["sale_date"].min(), frame["sale_date"].max()
    days = pl.date_range(first, last, "1d", eager=True)
    filled = pl.DataFrame({"sale_date": days}).join(frame.select("sale_date", "units"), on="sale_date", how="left")
    return days.to_list(), filled["units"].fill_null(0.0).to_numpy().astype(float)


def decompose(units: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """(expected = trend + season, residual), by robust STL; MSTL with a yearly season once two years are there."""
    from statsmodels.tsa.seasonal import MSTL, STL

    period = settings.period
    stl = {"robust": True, "trend": settings.trend_smoother}
    if len(units) >= 2 * 365 + period:
        fit = MSTL(units, periods=(period, 365), stl_kwargs=stl).fit()
        seasonal = np.asarray(fit.seasonal).sum(axis=1) if np.ndim(fit.seasonal) > 1 else np.asarray(fit.seasonal)
    else:
        fit = STL(units, period=period, seasonal=settings.seasonal_smoother, **stl).fit()
        seasonal = np.asarray(fit.seasonal)
    expected = np.asarray(fit.trend) + seasonal
    return expected, units - expected


def robust_z(values: np.ndarray) -> np.ndarray:
    median = float(np.median(values))
    mad = float(np.median(np.abs(values - median))) * 1.4826
    scale = mad if mad > 1e-9 else float(np.std(values)) or 1.0
    return (values - median) / scale


def _residual_events(
    level: str,
    key: str,
    days: list[date],
    units: np.ndarray,
    expected: np.ndarray,
    residual: np.ndarray,
    settings: Settings,
) -> list[dict]:
    flags = np.zeros(len(units), dtype=int)  # +1 spike day, -1 dip day
    score = np.zeros(len(units))
    first_flagged: dict[int, int] = {}  # day -> the last day of the first window that flagged it (detection)
    for w in settings.windows:
        if w > len(residual):
            continue
        # the residual summed over w days, scored against the other w-day sums (median, MAD): sales come in
        # lumps on beat days, so one day's residuals are no scale for another's; a week's sums are
        z = robust_z(np.convolve(residual, np.ones(w), mode="valid"))
        # or a lesser z on days that together sell `spike_ratio` times what is expected of them: a spike on the
        # slow days of the week is small against the busy days' noise but large against its own days
        lifted = (z >= settings.spike_z) & (window_ratio(units, expected, w, settings) >= settings.spike_ratio)
        lifted &= (
            level in settings.spike_ratio_levels and float((units > 0).mean()) >= settings.spike_ratio_active_share
        )
        for start in np.flatnonzero((np.abs(z) >= settings.z_threshold) | lifted):
            sign = 1 if z[start] > 0 else -1
            for day in range(start, start + w):
                if np.sign(residual[day]) == sign and (flags[day] in (0, sign)):
                    flags[day] = sign
                    score[day] = max(score[day], abs(float(z[start])))
                    first_flagged[day] = min(first_flagged.get(day, start + w - 1), start + w - 1)
    events = []
    day = 0
    while day < len(flags):
        if flags[day] == 0:
            day += 1
            continue
        sign, end = flags[day], day
        while end + 1 < len(flags) and flags[end + 1] == sign:
            end += 1
        span = slice(day, end + 1)
        kind = "spike" if sign > 0 else "dip"
        detected = days[min(first_flagged[d] for d in range(day, end + 1))]
        effect = abs(float(units[span].sum() - np.clip(expected[span], 0, None).sum()))
        if effect < settings.min_effect_pct / 100.0 * max(float(np.clip(expected[span], 0, None).sum()), 1.0):
            day = end + 1
            continue  # a blip the robust fit makes look extreme, too small to act on
        events.append(
            _event(
                level,
                key,
                kind,
                "stl_robust_z",
                days[day],
                days[end],
                detected,
                units[span],
                expected[span],
                float(score[span].max()),
            )
        )
        day = end + 1
    return events


def ratio_offset(units: np.ndarray, settings: Settings) -> float:
    """`ratio_offset_share` of a usual week's units: added to both sides of a ratio of units."""
    return settings.ratio_offset_share * 7.0 * max(float(units.mean()), 0.0)


def window_ratio(units: np.ndarray, expected: np.ndarray, w: int, settings: Settings) -> np.ndarray:
    """Per window of w days (by its first day): units sold / units expected (trend + season, at least 0), both
    plus `ratio_offset_share` of a usual week's units, so that a day without sales is no ratio of 0 or infinity."""
    offset = ratio_offset(units, settings)
    window = np.ones(w)
    actual = np.convolve(units, window, mode="valid")
    usual = np.convolve(np.clip(expected, 0, None), window, mode="valid")
    return (actual + offset) / (usual + offset + 1e-9)


def _ratio_dips(
    level: str, key: str, days: list[date], units: np.ndarray, expected: np.ndarray, settings: Settings
) -> list[dict]:
    """Days that together sell at most `dip_ratio` of what is expected of them (trend + season): a ratio, not a
    z-score, since a dip on the slow days of the week is small in units against the busy days' noise but large
    against its own days. Both sides get a small share of a usual week's units, so a slow day alone is no dip."""
    w = settings.dip_ratio_days
    if len(units) < w:
        return []
    ratio = window_ratio(units, expected, w, settings)
    flagged = np.zeros(len(units), dtype=bool)
    detected: dict[int, int] = {}
    for start in np.flatnonzero(ratio <= settings.dip_ratio):
        for day in range(start, start + w):
            if units[day] < expected[day]:
                flagged[day] = True
                detected[day] = min(detected.get(day, start + w - 1), start + w - 1)
    events = []
    day = 0
    while day < len(flagged):
        if not flagged[day]:
            day += 1
            continue
        end = day
        while end + 1 < len(flagged) and flagged[end + 1]:
            end += 1
        span = slice(day, end + 1)
        score = float(np.log(ratio[max(0, day - w + 1) : end + 1].min()))
        first = days[min(detected[d] for d in range(day, end + 1))]
        events.append(
            _event(level, key, "dip", "window_ratio", days[day], days[end], first, units[span], expected[span], score)
        )
        day = end + 1
    return events


def _level_events(
    level: str,
    key: str,
    days: list[date],
    units: np.ndarray,
    expected: np.ndarray,
    scheme: pl.DataFrame,
    uplifted: np.ndarray,
    settings: Settings,
) -> list[dict]:
    import ruptures

    season = expected - _smooth(expected, settings.period)
    signal = units - season  # deseasonalised
    sigma2 = float(np.var(signal)) or 1.0
    mad = float(np.median(np.abs(signal - np.median(signal)))) * 1.4826
    variance = max(mad**2, 1e-6) if mad > 0 else sigma2
    penalty = settings.penalty * variance * math.log(len(signal))
    # the linear kernel is the l2 cost (mean shifts), in ruptures' C implementation: ~50x faster than Pelt("l2")
    detector = ruptures.KernelCPD(kernel="linear", min_size=settings.min_segment_days, jump=1)
    breaks = detector.fit(signal).predict(pen=penalty)
    events = []
    bounds = [0, *breaks]
    for start, end in itertools.pairwise(bounds):
        if start == 0 or end - start < settings.min_segment_days:
            continue
        outside = np.ones(len(days), dtype=bool)
        outside[start:end] = False
        reference_days = outside & ~uplifted
        if reference_days.sum() < settings.drop_reference_days:
            continue  # no usual level to have dropped from (a bounded run's first weeks)
        # sustained: most of its days (medians) and its volume (means) are down. Both, since on a lumpy series
        # (sales on beat days only) the median day is a non-beat day: a segment's median can fall while its
        # units do not, and a "drop" with more units than usual (a positive size) is no drop.
        reference = float(np.median(signal[reference_days]))
        level_now = float(np.median(signal[start:end]))
        usual, mean_now = float(signal[reference_days].mean()), float(signal[start:end].mean())
        if reference <= 0 or 100.0 * (reference - level_now) / reference < settings.drop_pct:
            continue
        if usual <= 0 or 100.0 * (usual - mean_now) / usual < settings.drop_pct:
            continue
        kind = "sustained_drop"
        for row in scheme.filter(pl.col("scheme_code").is_not_null()).iter_rows(named=True):
            if 0 <= (days[start] - row["end_date"]).days <= settings.scheme_end_days:
                kind = "post_scheme_drop"
        detected = days[min(start + settings.min_segment_days - 1, len(days) - 1)]
        # expected: the segment's season on the usual (mean) level, so size = days x (mean now - usual) < 0
        base = season[start:end] + usual
        events.append(
            _event(
                level,
                key,
                kind,
                "change_point",
                days[start],
                days[end - 1],
                detected,
                units[start:end],
                base,
                100.0 * (usual - mean_now) / usual,
            )
        )
    return events


def _post_scheme(
    key: str,
    days: list[date],
    units: np.ndarray,
    distributor: tuple[list[date], np.ndarray] | None,
    scheme: pl.DataFrame,
    uplifted: np.ndarray,
    settings: Settings,
) -> list[dict]:
    """A scheme's SKUs at a distributor whose share of the distributor's sales over the `post_scheme_days` after
    the scheme ends is `post_scheme_drop_pct` below their usual share (the days before that window outside the
    scheme and festival seasons: the night the window completes has no later days). A share, not units: the
    distributor's outlets buy every SKU on the same beat days, so the lumps, the festival and the distributor's own
    dips cancel out; what is left is the scheme SKUs' own drop.
    Flagged the night the window is complete; size = the units sold - the usual share of the distributor's."""
    if distributor is None:
        return []
    position = {d: i for i, d in enumerate(distributor[0])}
    total = np.array([distributor[1][position[d]] if d in position else 0.0 for d in days])
    n = settings.post_scheme_days
    events = []
    for end_date in scheme.filter(pl.col("scheme_code").is_not_null())["end_date"].to_list():
        first = (end_date - days[0]).days + 1
        if first < 1 or first + n > len(days):
            continue  # the scheme ended before the series began, or its window is not complete yet
        window = np.zeros(len(days), dtype=bool)
        window[first : first + n] = True
        reference = ~uplifted & (np.arange(len(days)) < first)
        if (
            reference.sum() < settings.post_scheme_reference_days
            or total[reference].sum() <= 0
            or total[window].sum() <= 0
        ):
            continue
        usual = float(units[reference].sum() / total[reference].sum())
        now = float(units[window].sum() / total[window].sum())
        if usual <= 0 or 100.0 * (usual - now) / usual < settings.post_scheme_drop_pct:
            continue
        last = days[first + n - 1]
        events.append(
            _event(
                "scheme",
                key,
                "post_scheme_drop",
                "scheme_share",
                days[first],
                last,
                last,
                units[window],
                total[window] * usual,
                100.0 * (usual - now) / usual,
            )
        )
    return events


def _scheme_lift(
    ordinal: np.ndarray, units: np.ndarray, scheme: pl.DataFrame, uplifted: np.ndarray, settings: Settings
) -> np.ndarray:
    """Per day, the level a scheme on the series lifts its sales by: its days' mean over the mean of the days
    outside every known uplift (at least 1; nan on a scheme's days when fewer than `scheme_reference_days` are
    outside every uplift to measure it by, or the scheme lasts less than a week; 1 outside schemes)."""
    lift = np.ones(len(units))
    reference = units[~uplifted]
    enough = len(reference) >= settings.scheme_reference_days and reference.mean() > 0
    for start, end in scheme.filter(pl.col("scheme_code").is_not_null()).select("start_date", "end_date").iter_rows():
        inside = (ordinal >= start.toordinal()) & (ordinal <= end.toordinal())
        measured = enough and inside.sum() >= settings.period  # a week at least: a level, not a few days
        lift[inside] = max(1.0, float(units[inside].mean() / reference.mean())) if measured else np.nan
    return lift


def _festive(ordinal: np.ndarray, schemes: pl.DataFrame) -> np.ndarray:
    """The days of the festival seasons (known uplifts on every series)."""
    festive = np.zeros(len(ordinal), dtype=bool)
    for start, end in schemes.filter(pl.col("level").is_null()).select("start_date", "end_date").iter_rows():
        festive |= (ordinal >= start.toordinal()) & (ordinal <= end.toordinal())
    return festive


def _expected_uplift(event: dict, days: list[date], festive: np.ndarray, offset: float, settings: Settings) -> bool:
    """A spike mostly inside a festival season is the uplift it brings, no anomaly. A dip there is judged against
    a level the season ramps up and down, which the trend smooths over: kept only when deep (its days sell at most
    `dip_ratio` of expected, `offset` added to both sides, as the ratio rule judges them)."""
    if not _mostly(event, days, festive):
        return False
    if event["kind"] == "spike":
        return True
    return (event["actual_units"] + offset) / (event["expected_units"] + offset) > settings.dip_ratio


def _mostly(event: dict, days: list[date], mask: np.ndarray) -> bool:
    """Half the event's days at least are in `mask`."""
    inside = [mask[(d - days[0]).days] for d in _span(event["start_date"], event["end_date"])]
    return sum(inside) * 2 >= len(inside)


def _span(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _within(event: dict, drops: list[dict]) -> bool:
    """A dip inside a drop found by change points is that drop (one anomaly, not two)."""
    return event["kind"] == "dip" and any(
        d["start_date"] <= event["end_date"] and event["start_date"] <= d["end_date"] for d in drops
    )


def _smooth(values: np.ndarray, period: int) -> np.ndarray:
    """A centred moving average over one period (the season's mean level)."""
    kernel = np.ones(period) / period
    padded = np.pad(values, (period // 2, period - 1 - period // 2), mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def _stopped(
    level: str, key: str, days: list[date], units: np.ndarray, delivered: pl.DataFrame, settings: Settings
) -> list[dict]:
    """No sales on `stop_days` days running (to the series' last day or not) while goods were delivered."""
    zero = units <= 0
    events = []
    day = 0
    while day < len(days):
        if not zero[day]:
            day += 1
            continue
        end = day
        while end + 1 < len(days) and zero[end + 1]:
            end += 1
        if end - day + 1 >= settings.stop_days:
            window = delivered.filter(pl.col("delivery_date").is_between(days[day], days[end]))
            if window.height and float(window["units"].sum()) > 0:
                before = units[max(0, day - 28) : day]
                expected = np.full(end - day + 1, float(before.mean()) if len(before) else 0.0)
                events.append(
                    _event(
                        level,
                        key,
                        "sales_stopped",
                        "rule",
                        days[day],
                        days[end],
                        days[day] + timedelta(days=settings.stop_days - 1),
                        units[day : end + 1],
                        expected,
                        float(window["units"].sum()),
                    )
                )
        day = end + 1
    return events


def _event(
    level: str,
    key: str,
    kind: str,
    method: str,
    start: date,
    end: date,
    detected: date,
    actual: np.ndarray,
    expected: np.ndarray,
    score: float,
) -> dict:
    actual_sum, expected_sum = float(actual.sum()), float(np.clip(expected, 0, None).sum())
    ident = hashlib.sha1(f"{level}|{key}|{kind}|{start}".encode()).hexdigest()[:16]
    return {
        "anomaly_id": ident,
        "level": level,
        "series_key": key,
        "kind": kind,
        "method": method,
        "start_date": start,
        "end_date": end,
        "detected_on": detected,
        "actual_units": round(actual_sum, 1),
        "expected_units": round(expected_sum, 1),
        "size_units": round(actual_sum - expected_sum, 1),
        "size_pct": round(100.0 * (actual_sum - expected_sum) / expected_sum, 1) if expected_sum > 0 else None,
        "score": round(score, 2),
    }
