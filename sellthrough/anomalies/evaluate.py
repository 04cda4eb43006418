"""Anomalies found against the generator's planted ones (truth/sales_anomalies.parquet), event by event.

A planted anomaly is **found** when an anomaly of the same direction (a spike; or a dip, drop or stop) starts on
its own series within `window_days` of its start: a distributor's spike, dip or sustained drop on that
distributor; a SKU's spike on that SKU; a post-scheme drop on the scheme's series at that distributor. An anomaly
found is **true** when a planted one of the same direction explains it: it starts within `window_days` of the
planted one's days, on a series that holds the planted one (the distributor's region and outlet clusters, its
scheme series, the SKUs concerned). Precision = true / found; recall = planted found / planted; delay = the day it
was first flagged (detected_on) - the planted start, for the planted ones found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

import polars as pl

UP = {"spike"}
DOWN = {"dip", "sustained_drop", "post_scheme_drop", "sales_stopped"}


@dataclass(frozen=True)
class Score:
    planted: int
    found: int
    recalled: int
    true: int
    median_delay_days: float | None

    @property
    def precision(self) -> float:
        return self.true / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.recalled / self.planted if self.planted else 0.0


def score(found: pl.DataFrame, truth: pl.DataFrame, regions: dict[str, str], window_days: int = 7) -> Score:
    """`found`: level, series_key, kind, start_date, detected_on; `truth`: the planted anomalies; `regions`:
    distributor -> region."""
    window = timedelta(days=window_days)
    planted = truth.to_dicts()
    events = found.to_dicts()
    delays: list[int] = []
    recalled = 0
    for p in planted:
        hits = _hits(p, events, window)
        if hits:
            recalled += 1
            closest = min(hits, key=lambda e: (abs(e["start_date"] - p["start_date"]), e["detected_on"]))
            delays.append(max(0, (closest["detected_on"] - p["start_date"]).days))
    true = sum(_explained(e, planted, regions, window) for e in events)
    return Score(len(planted), len(events), recalled, true, float(median(delays)) if delays else None)


def misses(
    found: pl.DataFrame, truth: pl.DataFrame, regions: dict[str, str], window_days: int = 7
) -> tuple[list[dict], list[dict]]:
    """(the planted anomalies not found, the anomalies found that no planted one explains), as `score` counts
    them."""
    window = timedelta(days=window_days)
    planted, events = truth.to_dicts(), found.to_dicts()
    return (
        [p for p in planted if not _hits(p, events, window)],
        [e for e in events if not _explained(e, planted, regions, window)],
    )


def _hits(planted: dict, events: list[dict], window: timedelta) -> list[dict]:
    """The anomalies that find a planted one: its direction, on its own series, starting within the window."""
    return [
        e
        for e in events
        if _same_direction(e, planted)
        and (e["level"], e["series_key"]) == _home(planted)
        and abs(e["start_date"] - planted["start_date"]) <= window
    ]


def _explained(event: dict, planted: list[dict], regions: dict[str, str], window: timedelta) -> bool:
    """A planted anomaly of its direction explains the event: within the window of its days, on a series that
    holds it."""
    return any(
        _same_direction(event, p)
        and p["start_date"] - window <= event["start_date"] <= p["end_date"] + window
        and _holds(event, p, regions)
        for p in planted
    )


def _same_direction(event: dict, planted: dict) -> bool:
    return (event["kind"] in UP) == (planted["kind"] in UP)


def _home(planted: dict) -> tuple[str, str]:
    if planted["kind"] == "post_scheme_drop":
        return "scheme", f"{planted['scheme_code']}|{planted['distributor_code']}"
    if planted["level"] == "sku":
        return "sku", planted["sku_codes"][0]
    return "distributor", planted["distributor_code"]


def _holds(event: dict, planted: dict, regions: dict[str, str]) -> bool:
    """The event's series holds (some of) the planted anomaly's sales."""
    level, key = event["level"], event["series_key"]
    distributor, skus = planted["distributor_code"], planted["sku_codes"] or []
    if distributor is None:  # every distributor, some SKUs
        if level == "sku":
            return key in skus
        if level == "scheme":
            return True
        return level in ("distributor", "region", "outlet_cluster")
    region = regions.get(distributor)
    if level == "distributor":
        return key == distributor
    if level == "region":
        return key == region
    if level == "outlet_cluster":
        return key.split("|")[0] == region
    if level == "scheme":
        return key.split("|")[1] == distributor
    if level == "sku":
        return not skus or key in skus
    return False
