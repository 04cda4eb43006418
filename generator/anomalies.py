"""Sales anomalies planted in the demand (issue 16), labelled in the truth (`truth/sales_anomalies.parquet`).

Decided before the simulation from their own random stream (adding them shifts no other draw), and applied to
each order line's units after the line is drawn (`scaled`), so the rest of the demand is unchanged. Events that
cover the same lines on the same days (a national SKU spike during a distributor's dip, a distributor's spike on
the days after a scheme) both apply: their factors multiply, as demand effects do (the sustained drop, applied in
the demand itself, always composed so), and each event's factor stays its own effect on the lines it covers. The
truth says which events share lines and days with each one (`overlaps`).
Spikes and dips fall outside the festival buying seasons (a spike there is the festival's uplift, by design).
- `spike`: a distributor's (or, nationally, a SKU's) orders x SPIKE_FACTOR for SPIKE_DAYS days;
- `dip`: a distributor's orders x DIP_FACTOR for DIP_DAYS days (short: a week's KPI dip stays the planted one);
- `post_scheme_drop`: after a scheme ends, its SKUs at a distributor that ran it sell x DROP_FACTOR for DROP_DAYS
  days (pantry loading: retailers bought ahead on the scheme); a scheme with a week of history before it at least.
The planted distributor-wide sales dip of `problems.py` (from dip_from on, sustained) is in the truth too, as
`sustained_drop`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

import polars as pl

from generator.config import DIWALI, DUSSEHRA, FESTIVAL_LEAD_DAYS
from generator.masters import Network, Scheme
from generator.problems import ProblemPlan

SPIKE_FACTOR, SPIKE_DAYS = 3.0, 3
DIP_FACTOR, DIP_DAYS = 0.15, 4
DROP_FACTOR, DROP_DAYS = 0.35, 14
LEAD_DAYS = 21  # an anomaly starts after this many days of normal history
# a post-scheme drop follows a scheme with this many days of the SKUs' usual sales before it (a week: every beat
# day once); one that began with the history has no usual level for its SKUs to fall from
SCHEME_LEAD_DAYS = 7
TRUTH_SCHEMA = {
    "anomaly_id": pl.String,
    "kind": pl.String,  # spike | dip | post_scheme_drop | sustained_drop
    "level": pl.String,  # distributor | sku | distributor_sku
    "distributor_code": pl.String,
    "sku_codes": pl.List(pl.String),  # empty: every SKU
    "scheme_code": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "factor": pl.Float64,
    "overlaps": pl.List(pl.String),  # the other events in force on some of its lines and days (factors multiply)
}


@dataclass(frozen=True)
class PlantedAnomaly:
    anomaly_id: str
    kind: str
    level: str
    distributor_code: str | None
    sku_codes: tuple[str, ...]
    scheme_code: str | None
    start_date: date
    end_date: date
    factor: float

    def applies(self, distributor_code: str, sku_code: str, day: date) -> bool:
        return (
            self.start_date <= day <= self.end_date
            and (self.distributor_code is None or self.distributor_code == distributor_code)
            and (not self.sku_codes or sku_code in self.sku_codes)
        )

    def overlaps(self, other: PlantedAnomaly) -> bool:
        """Some line (distributor x SKU x day) is under both events."""
        return (
            self.start_date <= other.end_date
            and other.start_date <= self.end_date
            and (self.distributor_code is None or other.distributor_code in (None, self.distributor_code))
            and (not self.sku_codes or not other.sku_codes or bool(set(self.sku_codes) & set(other.sku_codes)))
        )


@dataclass(frozen=True)
class AnomalyPlan:
    events: tuple[PlantedAnomaly, ...]

    def scaled(self, distributor_code: str, sku_code: str, day: date, units: int) -> int:
        """The line's units under the anomalies in force, their factors multiplied (at least one unit: a line is
        never dropped). The sustained drop is in the demand already (simulate.py)."""
        factor, in_force = 1.0, False
        for event in self.events:
            if event.kind != "sustained_drop" and event.applies(distributor_code, sku_code, day):
                factor, in_force = factor * event.factor, True
        return max(1, round(units * factor)) if in_force else units

    def truth(self) -> pl.DataFrame:
        rows = [
            {
                **asdict(e),
                "sku_codes": list(e.sku_codes),
                "overlaps": [o.anomaly_id for o in self.events if o is not e and e.overlaps(o)],
            }
            for e in self.events
        ]
        return pl.DataFrame(rows, schema=TRUTH_SCHEMA)


def plan_anomalies(network: Network, plan: ProblemPlan) -> AnomalyPlan:
    config = network.config
    rng = config.rng("anomalies")
    first, last = config.start + timedelta(days=LEAD_DAYS), config.end - timedelta(days=7)
    free = [d.code for d in network.distributors if d.code != plan.dip_distributor]
    rng.shuffle(free)
    per_kind = max(1, config.distributors // 4)
    events: list[PlantedAnomaly] = []

    rounds = config.anomaly_rounds

    def start_day(length: int, round_no: int) -> date:
        """A start whose days miss the festival buying seasons (an anomaly there is the festival's, by design)."""
        if rounds > 1:  # round r plants in the r-th share of the days outside the seasons
            allowed = [
                first + timedelta(days=i)
                for i in range((last - first).days - length + 1)
                if not _in_festival_season(first + timedelta(days=i), first + timedelta(days=i + length + 3))
            ]
            share = max(1, len(allowed) // rounds)
            return rng.choice(allowed[round_no * share : (round_no + 1) * share] or allowed or [first])
        span = (last - first).days - length
        start = first + timedelta(days=rng.randint(0, max(0, span)))
        for _ in range(50):
            if not _in_festival_season(start, start + timedelta(days=length + 3)):
                break
            start = first + timedelta(days=rng.randint(0, max(0, span)))
        return start

    def add(kind: str, level: str, distributor: str | None, skus: tuple[str, ...], start: date, length: int,
            factor: float, scheme: str | None = None) -> None:  # fmt: skip
        end = start + timedelta(days=length - 1)
        events.append(
            PlantedAnomaly(f"A{len(events) + 1:03d}", kind, level, distributor, skus, scheme, start, end, factor)
        )

    for round_no in range(rounds):
        if rounds > 1:
            rng.shuffle(free)  # other distributors spike and dip in each round
        taken = iter(free)
        for _ in range(per_kind):
            distributor = next(taken, None)
            if distributor is not None:
                add("spike", "distributor", distributor, (), start_day(SPIKE_DAYS, round_no), SPIKE_DAYS, SPIKE_FACTOR)
            distributor = next(taken, None)
            if distributor is not None:
                start = start_day(DIP_DAYS + 3, round_no)
                start += timedelta(days=(7 - start.weekday()) % 7)  # Monday to Thursday: one week's days, not two
                if start + timedelta(days=DIP_DAYS) <= last:
                    add("dip", "distributor", distributor, (), start, DIP_DAYS, DIP_FACTOR)
        sku = rng.choice(sorted(network.sku_by_code))
        add("spike", "sku", None, (sku,), start_day(SPIKE_DAYS, round_no), SPIKE_DAYS, SPIKE_FACTOR)
    scheme: Scheme | None = None
    ending = [s for s in network.schemes if first <= s.end <= last - timedelta(days=DROP_DAYS)]
    if ending:
        scheme = rng.choice(sorted(ending, key=lambda s: s.code))
        if scheme.start < config.start + timedelta(days=SCHEME_LEAD_DAYS):  # no usual sales before it to fall from
            known = [s for s in ending if s.start >= config.start + timedelta(days=SCHEME_LEAD_DAYS)]
            scheme = rng.choice(sorted(known, key=lambda s: s.code)) if known else None
    if scheme is not None:
        runs = [d for d in free if scheme.runs_at(d)]
        for distributor in sorted(runs[: per_kind * rounds]):
            add(
                "post_scheme_drop",
                "distributor_sku",
                distributor,
                scheme.sku_codes,
                scheme.end + timedelta(days=1),
                DROP_DAYS,
                DROP_FACTOR,
                scheme.code,
            )
    add(
        "sustained_drop",
        "distributor",
        plan.dip_distributor,
        (),
        plan.dip_from,
        (config.end - plan.dip_from).days + 1,
        round(1 - plan.dip_drop, 2),
    )
    return AnomalyPlan(tuple(events))


def _in_festival_season(start: date, end: date) -> bool:
    return any(
        start <= festival and end >= festival - timedelta(days=FESTIVAL_LEAD_DAYS) for festival in (DUSSEHRA, DIWALI)
    )
