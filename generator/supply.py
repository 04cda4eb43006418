"""A planted stock-out: the brand rations one distributor x SKU at the end of the period (a supply shortfall).

In the last RATION_DAYS the brand bills that pair no more than keeps it selling until RUNS_OUT_AFTER_END_DAYS
after the last simulated day, at the rate the distributor itself orders on, and nothing in the last CUT_DAYS: the
stock at the end covers a few days and nothing is in transit, so the pair runs out just after the data ends. The
truth records the pair, its stock at the end and the day it runs out at its recent demand (`planted_stockout` in
problems.json); the stock-out prediction must find it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl

from generator.masters import Network, Sku
from generator.problems import ProblemPlan

RATION_DAYS = 35
RUNS_OUT_AFTER_END_DAYS = 3
CUT_DAYS = 7  # longer than any delivery lag: nothing billed then arrives before the end
DEMAND_DAYS = 28


def with_rationed_pair(network: Network, plan: ProblemPlan) -> ProblemPlan:
    """The plan with a rationed distributor x SKU: a daily-file distributor (current data) that has no other
    planted problem, and the brand's most popular SKU."""
    taken = {plan.overstock, plan.dip_distributor, plan.overclaim, plan.stuffed}
    free = [d for d in network.distributors if d.code not in taken and d.parent_code is None] or [
        d for d in network.distributors if d.code not in taken
    ]
    if not free:
        return plan
    distributor = next((d for d in free if d.cadence == "daily"), free[0])
    sku = max(network.skus, key=lambda s: (s.popularity, s.code))
    return replace(plan, rationed=(distributor.code, sku.code))


def rationed_units(
    plan: ProblemPlan, distributor_code: str, sku: Sku, t: int, days: int, units: int, rate: float, covered: int
) -> int:
    """The units the brand bills for an order of `units` on day index t; `covered`: stock on hand + in transit,
    `rate`: the distributor's own daily demand estimate."""
    if plan.rationed != (distributor_code, sku.code) or t < days - RATION_DAYS:
        return units
    if t >= days - CUT_DAYS:
        return 0
    allowed = rate * (days - 1 - t + RUNS_OUT_AFTER_END_DAYS) - covered
    return min(units, max(0, math.floor(allowed / sku.units_per_case)) * sku.units_per_case)


def rationed_problem(network: Network, plan: ProblemPlan, daily: pl.DataFrame) -> list[dict]:
    """The truth of the planted stock-out, from the simulated daily stock."""
    if plan.rationed is None:
        return []
    distributor_code, sku_code = plan.rationed
    config = network.config
    pair = daily.filter(pl.col("distributor_code") == distributor_code, pl.col("sku_code") == sku_code).sort("date")
    recent = pair.filter(pl.col("date") > config.end - timedelta(days=DEMAND_DAYS))
    rate = float((recent["sales"] + recent["lost_sales_units"]).sum()) / DEMAND_DAYS
    closing = int(pair["closing"][-1])
    cover = closing / rate if rate > 0 else None
    return [
        {
            "problem": "planted_stockout",
            "distributor_code": distributor_code,
            "sku_code": sku_code,
            "rationed_from": config.end - timedelta(days=RATION_DAYS - 1),
            "closing_units_at_end": closing,
            "daily_demand_units": round(rate, 2),
            "cover_days_at_end": round(cover, 2) if cover is not None else None,
            "runs_out_by": config.end + timedelta(days=math.ceil(cover)) if cover is not None else None,
        }
    ]


# --- supply disruptions (NetworkConfig.supply_disruptions) ----------------------------------------------------------
# Assumed figures (Indian FMCG primary distribution): a brand's depots ship 90-95% of the cases distributors order
# (case fill rate); what is missing is concentrated in a few SKUs at a time, short for one to four weeks (a plant's
# line down, a launch or a promoted pack outselling its plan, a raw-material gap): here each SKU is short about
# twice a year, for 7-28 days, billed nothing half of the time and 20-60% of the order otherwise (case fill rate
# ~92%). A distributor whose payments are overdue is put on credit hold (the brand stops billing it until it pays):
# about three times a year, for 7-21 days (one to three missed weekly orders).
SHORTAGES_PER_SKU_YEAR = 2.0
SHORTAGE_DAYS = (7, 28)
SHORTAGE_NIL_SHARE = 0.5
SHORTAGE_FILL = (0.2, 0.6)
HOLDS_PER_DISTRIBUTOR_YEAR = 2.0
HOLD_DAYS = (7, 14)
WARM_UP_DAYS = 28  # the first weeks run clean: the distributors' own forecasts start from them


@dataclass(frozen=True)
class Disruption:
    kind: str  # depot_shortage | credit_hold
    key: str  # the SKU short at the depot, or the distributor on hold
    start: date
    end: date  # inclusive
    fill: float  # the share of an order the brand bills meanwhile (0 on a hold)


@dataclass(frozen=True)
class SupplyPlan:
    disruptions: list[Disruption]

    def fill(self, distributor_code: str, sku_code: str, day: date) -> float:
        """The share of an order for the pair the brand bills on `day`."""
        fills = [
            d.fill
            for d in self.disruptions
            if d.start <= day <= d.end and d.key == (distributor_code if d.kind == "credit_hold" else sku_code)
        ]
        return min(fills, default=1.0)

    def billed(self, distributor_code: str, sku: Sku, day: date, units: int) -> int:
        """The units billed (whole cases) for an order of `units` placed on `day`."""
        share = self.fill(distributor_code, sku.code, day)
        if share >= 1.0:
            return units
        return math.floor(units * share / sku.units_per_case) * sku.units_per_case

    def truth(self) -> list[dict]:
        return [
            {"kind": d.kind, "key": d.key, "start": d.start, "end": d.end, "fill": round(d.fill, 3)}
            for d in self.disruptions
        ]


def _episodes(rng: random.Random, kind: str, key: str, config, per_year: float, days: tuple[int, int], fill) -> list:
    out = []
    day = config.start + timedelta(days=WARM_UP_DAYS)
    while True:
        day += timedelta(days=round(rng.expovariate(per_year / 365)))
        if day > config.end:
            return out
        length = rng.randint(*days)
        out.append(Disruption(kind, key, day, day + timedelta(days=length - 1), fill()))
        day += timedelta(days=length)


def plan_supply(network: Network) -> SupplyPlan | None:
    """The depot shortages and credit holds of the simulated period; None unless the config asks for them."""
    config = network.config
    if not getattr(config, "supply_disruptions", False):
        return None
    rng = config.rng("supply")
    disruptions = []
    for sku in network.skus:
        disruptions += _episodes(
            rng,
            "depot_shortage",
            sku.code,
            config,
            SHORTAGES_PER_SKU_YEAR,
            SHORTAGE_DAYS,
            lambda: 0.0 if rng.random() < SHORTAGE_NIL_SHARE else rng.uniform(*SHORTAGE_FILL),
        )
    for distributor in network.distributors:
        disruptions += _episodes(
            rng, "credit_hold", distributor.code, config, HOLDS_PER_DISTRIBUTOR_YEAR, HOLD_DAYS, lambda: 0.0
        )
    return SupplyPlan(disruptions)
