"""What real demand has beyond the base simulation, on when `NetworkConfig.realistic_demand` is set (the
forecast benchmark's networks; the default networks stay as they were, byte for byte).

- trend: each SKU grows or shrinks by its own yearly rate;
- seasonality per region: a yearly wave with the region's own amplitude and phase;
- festival peaks that move each year: the Dussehra and Diwali buying peaks of every year (the simulation's own
  festival_multiplier covers 2026), and regional festivals (Onam in the South's Kerala region, Ganesh Chaturthi in
  Maharashtra, Durga Puja in the East) with the region's uplift; dates as in dbt_project/seeds/festivals.csv;
- promotions: a short discount scheme every few weeks on one brand (the scheme master carries them, so the
  system knows them in advance), with a demand uplift;
- new and discontinued SKUs: a few SKUs launch part-way through, a few are delisted;
- intermittent outlet demand: niche SKUs that an outlet orders rarely and in lumps.
Every draw comes from its own random streams, so turning it on leaves the base demand's draws where they were.
The truth records the plan (truth/demand_patterns.json, written by the caller).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from generator.config import FESTIVAL_LEAD_DAYS
from generator.masters import Network, Scheme

# national festivals other than 2026's (simulate.festival_multiplier has Dussehra 2026-10-20, Diwali 2026-11-08)
NATIONAL_FESTIVALS = (
    date(2024, 10, 12),
    date(2024, 11, 1),
    date(2025, 10, 2),
    date(2025, 10, 20),
    date(2027, 10, 9),
    date(2027, 10, 29),
)
# (region, festival day, uplift at the peak)
REGIONAL_FESTIVALS = (
    ("Karnataka & Kerala", date(2025, 9, 5), 0.5),  # Onam
    ("Karnataka & Kerala", date(2026, 8, 26), 0.5),
    ("Karnataka & Kerala", date(2027, 9, 12), 0.5),
    ("Maharashtra", date(2025, 8, 27), 0.4),  # Ganesh Chaturthi
    ("Maharashtra", date(2026, 9, 14), 0.4),
    ("Maharashtra", date(2027, 9, 4), 0.4),
    ("Bengal & Odisha", date(2025, 10, 2), 0.3),  # Durga Puja ends on Dussehra
    ("Bengal & Odisha", date(2026, 10, 20), 0.3),
    ("Bengal & Odisha", date(2027, 10, 9), 0.3),
)
REGIONAL_LEAD_DAYS = 14
PROMOTION_EVERY_DAYS = (35, 56)
PROMOTION_LENGTH_DAYS = (14, 21)
NICHE_SHARE = 0.2
NICHE_KEEP = 0.15  # a niche SKU's line survives this often...
NICHE_LUMP = 4.0  # ...and is this many times its usual size


@dataclass
class DemandPatterns:
    start: date
    growth: dict[str, float]  # SKU -> yearly growth
    wave: dict[str, tuple[float, float]]  # region -> (amplitude, phase)
    launch: dict[str, date]  # SKU -> first day of demand
    delist: dict[str, date]  # SKU -> first day without demand
    niche: frozenset[str]
    draws: random.Random = field(repr=False)

    def factor(self, region: str, sku_code: str, day: date) -> float:
        """The demand multiplier of this region's retailers for this SKU on this day (0: no demand)."""
        if day < self.launch.get(sku_code, day) or day >= self.delist.get(sku_code, date.max):
            return 0.0
        years = (day - self.start).days / 365.25
        trend = (1 + self.growth[sku_code]) ** years
        amplitude, phase = self.wave.get(region, (0.0, 0.0))
        wave = 1 + amplitude * math.sin(2 * math.pi * day.timetuple().tm_yday / 365.25 + phase)
        regional = max(
            (_peak(d, day, REGIONAL_LEAD_DAYS, u) for r, d, u in REGIONAL_FESTIVALS if r == region), default=1.0
        )
        return trend * wave * regional

    def festive(self, day: date) -> float:
        """The national festivals' multiplier of other years than 2026, shaped as simulate.festival_multiplier (the
        simulation also takes more off-beat orders on such days)."""
        return max((_peak(festival, day, FESTIVAL_LEAD_DAYS, 0.6) for festival in NATIONAL_FESTIVALS), default=1.0)

    def line_size(self, sku_code: str) -> float:
        """0 when a niche SKU's line is dropped this time, its lump multiplier when kept, else 1."""
        if sku_code not in self.niche:
            return 1.0
        return NICHE_LUMP if self.draws.random() < NICHE_KEEP else 0.0


def _peak(festival: date, day: date, lead_days: int, top: float) -> float:
    """1 + a rise from half of `top` to `top` over the lead days before the festival (the simulation's shape)."""
    lead = (festival - day).days
    if not 0 < lead <= lead_days:
        return 1.0
    return 1 + top * (0.5 + 0.5 * (1 - (lead - 1) / lead_days))


def plan_patterns(network: Network) -> DemandPatterns | None:
    config = network.config
    if not getattr(config, "realistic_demand", False):
        return None
    rng = config.rng("demand-patterns")
    codes = [s.code for s in network.skus]
    regions = sorted({d.town.region for d in network.distributors})
    shuffled = list(codes)
    rng.shuffle(shuffled)
    n = max(1, len(codes) // 10)

    def day(fraction: float) -> date:
        return config.start + timedelta(days=round((config.days - 1) * fraction))

    return DemandPatterns(
        start=config.start,
        growth={c: rng.uniform(-0.2, 0.35) for c in codes},
        wave={r: (rng.uniform(0.05, 0.2), rng.uniform(0, 2 * math.pi)) for r in regions},
        launch={c: day(rng.uniform(0.2, 0.6)) for c in shuffled[:n]},
        delist={c: day(rng.uniform(0.5, 0.8)) for c in shuffled[n : 2 * n]},
        niche=frozenset(shuffled[2 * n : 2 * n + max(1, round(len(codes) * NICHE_SHARE))]),
        draws=config.rng("demand-patterns-lines"),
    )


def with_promotions(network: Network) -> Network:
    """The network with a short discount scheme every five to eight weeks on one brand (realistic demand only)."""
    config = network.config
    if not getattr(config, "realistic_demand", False):
        return network
    rng = config.rng("promotions")
    brands = sorted({s.brand for s in network.skus})
    schemes = list(network.schemes)
    start, number = config.start + timedelta(days=rng.randint(7, 28)), 1
    while start < config.end:
        brand = brands[number % len(brands)]
        pool = sorted(s.code for s in network.skus if s.brand == brand)
        skus = tuple(sorted(rng.sample(pool, min(len(pool), rng.randint(2, 4)))))
        end = min(config.end, start + timedelta(days=rng.randint(*PROMOTION_LENGTH_DAYS) - 1))
        pct = rng.choice((5.0, 8.0, 10.0))
        uplift = round(rng.uniform(1.3, 1.6), 2)
        schemes.append(
            Scheme(
                f"PRM{number:03d}", f"{brand} Promo {pct:.0f}% Off", "pct_discount", skus, start, end, 1, pct, 0, uplift
            )
        )
        start, number = end + timedelta(days=rng.randint(*PROMOTION_EVERY_DAYS)), number + 1
    return replace(network, schemes=schemes)


def patterns_truth(patterns: DemandPatterns | None) -> dict:
    if patterns is None:
        return {}
    return {
        "growth_per_year": patterns.growth,
        "region_wave": {r: {"amplitude": a, "phase": p} for r, (a, p) in patterns.wave.items()},
        "launched": {c: d.isoformat() for c, d in patterns.launch.items()},
        "delisted": {c: d.isoformat() for c, d in patterns.delist.items()},
        "niche_skus": sorted(patterns.niche),
        "national_festivals": [d.isoformat() for d in NATIONAL_FESTIVALS],
        "regional_festivals": [{"region": r, "day": d.isoformat(), "uplift": u} for r, d, u in REGIONAL_FESTIVALS],
    }
