"""The business problems planted in the network, decided before the simulation runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from generator.masters import Network

if TYPE_CHECKING:
    from generator.closed_loop import SystemReplenishment

OVERSTOCK_COVER_DAYS = 90
STUFFING_SHARE = 0.5  # the brand bills the stuffed distributor half its month's orders again on the month's last day
TWIN_SHARE = 0.35  # share of a duplicated outlet's orders billed under its duplicate record


@dataclass(frozen=True)
class ProblemPlan:
    overstock: str  # distributor ordering toward ~90 days of cover
    dip_distributor: str
    dip_from: date
    dip_drop: float  # 0.4 .. 0.6: share of demand lost from dip_from on
    overclaim: str  # distributor whose scheme claims exceed what was earned
    dead_outlets: dict[str, date]  # outlet_code -> first day it no longer buys
    # distributor the brand stuffs: on each month's last day it bills STUFFING_SHARE x the month's orders on top of
    # the distributor's own orders, which ignore that stock (the distributor neither asked for nor sells it down)
    stuffed: str | None = None
    rationed: tuple[str, str] | None = None  # (distributor, SKU) the brand rations at the end (generator/supply.py)
    replenish: SystemReplenishment | None = None  # the system's suggested orders replace the rule (closed_loop.py)


def plan_problems(network: Network) -> ProblemPlan:
    config = network.config
    rng = config.rng("problems")
    codes = [d.code for d in network.distributors]
    order = list(codes)
    rng.shuffle(order)
    weekly = [c for c in order if next(d for d in network.distributors if d.code == c).cadence == "weekly"] or order
    overstock = weekly[0]
    dip = next((c for c in order if c != overstock), overstock)
    overclaim = next((c for c in order if c not in (overstock, dip)), dip)
    # the last distributor simulated, when free: stuffing it leaves every other distributor's simulation unchanged
    taken = {overstock, dip, overclaim}
    stuffed = next((c for c in reversed(codes) if c not in taken), None)

    def day(fraction: float) -> date:
        return config.start + timedelta(days=round((config.days - 1) * fraction))

    real = [o for o in network.outlets if o.twin_of is None and o.twin_code is None]
    preferred = [o for o in real if o.outlet_class in ("A", "B") and o.channel == "GT"] or real
    n_dead = max(1, round(len(real) * 0.05))
    dead = sorted(rng.sample(preferred, min(n_dead, len(preferred))), key=lambda o: o.code)
    return ProblemPlan(
        overstock=overstock,
        dip_distributor=dip,
        dip_from=day(rng.uniform(0.55, 0.7)),
        dip_drop=round(rng.uniform(0.45, 0.6), 2),
        overclaim=overclaim,
        dead_outlets={o.code: day(rng.uniform(0.3, 0.65)) for o in dead},
        stuffed=stuffed,
    )
