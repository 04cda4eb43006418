"""A planted stock-out: the brand rations one distributor x SKU at the end of the period (a supply shortfall).

In the last RATION_DAYS the brand bills that pair no more than keeps it selling until RUNS_OUT_AFTER_END_DAYS
after the last simulated day, at the rate the distributor itself orders on, and nothing in the last CUT_DAYS: the
stock at the end covers a few days and nothing is in transit, so the pair runs out just after the data ends. The
truth records the pair, its stock at the end and the day it runs out at its recent demand (`planted_stockout` in
problems.json); the stock-out prediction must find it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

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
