"""One statistical model per weekly series (statsforecast), point forecast and 80% interval for 1-8 weeks.

Smooth series: statsforecast's AutoETS fixed to additive error and level only (ANN, simple exponential smoothing)
on the series with the known events divided out; the 80% interval from the 10th and 90th percentiles of its own
one-week errors, widened with the horizon (the model's normal interval under MIN_RESIDUALS weeks, and for the
aggregates); the events multiply back in.
Intermittent series (a third or more of the weeks without a sale): TSB (Teunter-Syntetos-Babai: demand size and
probability smoothed apart, so a series fading out forecasts less and less) with the interval of the mixture "no
sale with probability 1 - p, else a size drawn from the series' own non-zero weeks". A series without a sale in
its last INACTIVE_WEEKS weeks forecasts zero (a discontinued SKU or a lost outlet group); a series shorter than
MIN_WEEKS takes its mean.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

HORIZON = 8
LEVEL = 80
Z80 = 1.2815515655446004  # the standard normal's 90th percentile: an 80% interval is mean +- Z80 sigma
INTERMITTENT_ZERO_SHARE = 1 / 3
INACTIVE_WEEKS = 6
MIN_WEEKS = 4
TSB_ALPHA_D = 0.1
TSB_ALPHA_P = 0.1
# ETS with additive error and level only (simple exponential smoothing) on the series with the events divided out:
# on one year of weekly distributor x SKU sales AutoETS's trend chosen by AICc overfits (bench/forecast.py: MASE
# 4-5 points worse on two seeds); the events carry the swings a trend would chase
ETS_SPECS = (("ets_ann", "ANN"),)
PLAIN_ETS = (("auto_ets", "ZZN"), ("ets_ann", "ANN"))  # the benchmark's baseline: automatic ETS on the raw series
MIN_RESIDUALS = 20  # fewer one-week errors than this: the model's normal interval


@dataclass(frozen=True)
class SeriesForecast:
    model: str
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def _models():  # statsforecast costs ~3 s to import: only when there is something to fit
    # numba compiles TSB once and caches it (next to the package, else numba's user cache): ~1.5 s a process less
    os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
    from statsforecast.models import TSB, AutoETS

    return AutoETS, TSB


def _mixture_quantile(p: float, sizes: np.ndarray, q: float) -> float:
    """The q-quantile of: 0 with probability 1 - p, else a value drawn from `sizes`."""
    if sizes.size == 0 or q <= 1 - p:
        return 0.0
    return float(np.quantile(sizes, (q - (1 - p)) / p))


def forecast_series(
    y: np.ndarray, horizon: int = HORIZON, ets_only: bool = False, residual_interval: bool = True
) -> SeriesForecast:
    """Forecast of `y` (weekly, events divided out, oldest first). `ets_only` always fits AutoETS (the
    benchmark's plain-ETS baseline). `residual_interval`: the interval from the series' own errors (one distributor
    x SKU: heavy-tailed), else the model's normal one (a sum of many series)."""
    y = np.asarray(y, dtype=float)
    flat = np.zeros(horizon)
    if y.size == 0 or (not ets_only and y.size >= INACTIVE_WEEKS and not np.any(y[-INACTIVE_WEEKS:] > 0)):
        return SeriesForecast("inactive", flat, flat, flat)
    if y.size < MIN_WEEKS:
        return _mean_forecast(y, horizon)
    auto_ets, tsb = _models()
    zero_share = float(np.mean(y <= 0))
    if not ets_only and zero_share >= INTERMITTENT_ZERO_SHARE:
        mean = tsb(alpha_d=TSB_ALPHA_D, alpha_p=TSB_ALPHA_P).forecast(y=y, h=horizon)["mean"]
        sizes = y[y > 0]
        size = float(sizes.mean())
        p = float(np.clip(mean[0] / size, 1e-6, 1.0)) if size > 0 else 0.0
        lo = np.full(horizon, _mixture_quantile(p, sizes, 0.1))
        hi = np.full(horizon, _mixture_quantile(p, sizes, 0.9))
        return SeriesForecast("tsb", np.asarray(mean, dtype=float), lo, np.maximum(hi, mean))
    if np.all(y == y[0]):  # a constant series: ETS cannot estimate a variance
        return SeriesForecast("constant", np.full(horizon, y[0]), np.full(horizon, y[0]), np.full(horizon, y[0]))
    out, model = None, "mean"
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, spec in PLAIN_ETS if ets_only else ETS_SPECS:
            try:
                out = auto_ets(season_length=1, model=spec).forecast(y=y, h=horizon, level=[LEVEL])
                model = name
                break
            except NotImplementedError:  # statsforecast: "tiny datasets"
                continue
    if out is None or not np.all(np.isfinite(out[f"hi-{LEVEL}"])):
        return _mean_forecast(y, horizon)
    mean = np.asarray(out["mean"], dtype=float)
    lo, hi = np.asarray(out[f"lo-{LEVEL}"], dtype=float), np.asarray(out[f"hi-{LEVEL}"], dtype=float)
    if residual_interval and not ets_only and model == "ets_ann" and y.size >= MIN_RESIDUALS:
        lo, hi = _residual_interval(auto_ets, y, mean, horizon)
    mean = np.maximum(mean, 0.0)
    return SeriesForecast(model, mean, np.maximum(lo, 0.0), np.maximum(hi, mean))


def _residual_interval(auto_ets, y: np.ndarray, mean: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """The 80% interval from the series' own one-week-ahead errors (their 10th and 90th percentiles), widened with
    the horizon as simple exponential smoothing's variance grows (1 + (h - 1) alpha^2): the weeks the events did
    not explain make the errors heavy-tailed, and a normal interval on their variance is too wide elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        fit = auto_ets(season_length=1, model="ANN").fit(y).model_
    residuals = np.asarray(fit["residuals"], dtype=float)
    alpha = float(fit["par"][0])
    low, high = np.quantile(residuals[np.isfinite(residuals)], [0.1, 0.9])
    growth = np.sqrt(1 + np.arange(horizon) * alpha * alpha)
    return mean + low * growth, mean + high * growth


def _mean_forecast(y: np.ndarray, horizon: int) -> SeriesForecast:
    mean, sd = float(y.mean()), float(y.std())
    lo, hi = max(0.0, mean - Z80 * sd), mean + Z80 * sd
    return SeriesForecast("mean", np.full(horizon, mean), np.full(horizon, lo), np.full(horizon, hi))
