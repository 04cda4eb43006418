"""How well could any model predict distributor x SKU stock-outs 7 days ahead on the forecast bench's world? An
oracle's bound beside the model's figures (issue 16).

The forecast bench (bench/forecast.py) scores `predict_stockouts` on every day of the held-back weeks. Its
probabilities are calibrated, yet precision and recall stay short of 0.8. That leaves a question no tuning of the
model answers: is 0.8 / 0.8 reachable at all with what can be known on the day? This bench computes the
probability an oracle would give. The oracle knows everything about the world but its dice:

- the stock on hand at the origin (the truth's closing, as the model is given);
- everything the distributor's stock gains or loses from the brand over the next 7 days, as it happened: the
  receipts (its next weekly order, its size, its delivery day, any cut by a depot shortage or credit hold), the
  market returns and the returns to the brand. The model knows only what was billed by the origin;
- the demand process itself, as the generator runs it (generator/simulate.py `_demand`): every outlet's beat day
  and order probability, its SKU list, weights and line sizes, the festival, season, trend and scheme multipliers,
  the niche SKUs' lumps, dead outlets, the planted dip, even the planted anomalies (spikes included) and the free
  goods a scheme adds;
- the order book at the origin, per outlet: an order booked by then is known line for line; an outlet with none
  orders with its probability conditioned on not having booked yet (generator/order_book.py's shares and leads).

What it does not know: which of the unbooked orders will come, which SKUs they pick and in what sizes. It draws
PATHS futures of the 7 days from that process (the generator's own draws, vectorised: an order with the outlet's
probability, its lines picked by weight without replacement (Gumbel top-k, the same law as the generator's
sequential picks), each line's size, rounding and scaling as the generator makes them) and runs the stock forward:
a path runs out on a day whose demand (units plus free goods) reaches the stock that day. Its probability is the
share of paths that run out. With more information than any model gets, its precision-recall curve bounds what a
calibrated model could reach on these pair-days (in expectation; the oracle's own calibration is printed to show it
is a faithful copy of the world). Beside both, `receipts`: the model given the oracle's knowledge of supply (every
receipt of the 7 days), which splits the model's gap to the oracle into supply and demand.

Run: `python -m bench stockout_bound [--seed 42] [--paths 2000] [--frame scored.parquet]` (~1.5 min: the forecast
bench's model frame, then the oracle; `--frame` writes the scored pair-days for a closer look).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from bench.forecast import (
    KEYS,
    accuracy,
    average_precision,
    calibration,
    network_and_plan,
    operating_points,
    origin_frame,
    sales_of,
    simulate_network,
)
from generator.anomalies import plan_anomalies
from generator.closed_loop import dimensions
from generator.demand_patterns import NICHE_KEEP, NICHE_LUMP, plan_patterns
from generator.masters import Network
from generator.order_book import BOOKED_DAYS, BOOKED_SHARE, booked_days
from generator.problems import ProblemPlan
from generator.simulate import _demand, _profiles, _scheme_for, festival_multiplier
from sellthrough.forecast.series import last_complete_week
from sellthrough.forecast.stockout import predict_stockouts

PATHS = 2000
HORIZON = 7
TARGET = 0.8


@dataclass(frozen=True)
class OutletDemand:
    """One outlet's order law on one day: its SKUs (indices into the network's SKU list), weights, line sizes."""

    code: str
    channel: str
    probability: float
    lines: tuple[int, int]
    sku_index: np.ndarray
    log_weights: np.ndarray
    base: np.ndarray


def booked_at_least(channel: str, k: int) -> float:
    """P(an order of this channel was booked at least k days before its day), as generator/order_book.py draws it."""
    low, high = BOOKED_DAYS.get(channel, (1, 1))
    leads = range(low, high + 1)
    return BOOKED_SHARE.get(channel, 0.0) * sum(1 for lead in leads if lead >= k) / len(leads)


@dataclass(frozen=True)
class DayTerms:
    """What a distributor's demand law holds for one day (see DemandLaw.terms)."""

    scale: np.ndarray
    factor: np.ndarray
    in_force: np.ndarray
    minimum: np.ndarray
    free: np.ndarray
    outlets: list[OutletDemand]


class DemandLaw:
    """The generator's retailer demand, day by day, as a law to draw from (see the module's docstring)."""

    def __init__(self, network: Network, plan: ProblemPlan) -> None:
        self.network = network
        self.plan = plan
        self.skus = [s.code for s in network.skus]
        self.index = {code: i for i, code in enumerate(self.skus)}
        self.case = np.array([s.units_per_case for s in network.skus], dtype=float)
        self.profiles = _profiles(network)
        self.patterns = plan_patterns(network)
        self.anomalies = plan_anomalies(network, plan)
        self.demand = _demand(network, plan)  # the orders that came (the book's lines are read from them)
        self.booked = booked_days(network, self.demand)
        self.dates = network.config.dates()
        self.distributors = {d.code: d for d in network.distributors}
        self.day_index = {d: t for t, d in enumerate(self.dates)}
        niche = self.patterns.niche if self.patterns is not None else frozenset()
        self.niche = np.array([s in niche for s in self.skus])
        self._terms: dict[tuple[str, date], DayTerms] = {}

    def terms(self, distributor_code: str, day: date) -> DayTerms:
        """The distributor-day's multipliers, anomaly factors, free goods and outlets (each origin's draws of the
        day share them: computed once)."""
        key = (distributor_code, day)
        if key not in self._terms:
            self._terms[key] = DayTerms(
                self.multipliers(distributor_code, day),
                *self.anomaly_factors(distributor_code, day),
                *self.free_goods(distributor_code, day),
                self.outlets(distributor_code, day),
            )
        return self._terms[key]

    def festive(self, day: date) -> float:
        if self.patterns is None:
            return festival_multiplier(day)
        return max(festival_multiplier(day), self.patterns.festive(day))

    def multipliers(self, distributor_code: str, day: date) -> np.ndarray:
        """Per SKU: what a line's wanted units are multiplied by on this day, before the line's own draws."""
        distributor = self.distributors[distributor_code]
        schemes = [s for s in self.network.schemes if s.runs_at(distributor_code)]
        dip = (
            1 - self.plan.dip_drop if distributor_code == self.plan.dip_distributor and day >= self.plan.dip_from else 1
        )
        out = np.zeros(len(self.skus))
        for i, sku in enumerate(self.skus):
            uplift = max([s.uplift for s in schemes if s.active(day) and sku in s.sku_codes], default=1.0)
            factor = 1.0 if self.patterns is None else self.patterns.factor(distributor.town.region, sku, day)
            out[i] = self.festive(day) * uplift * dip * factor
        return out

    def anomaly_factors(self, distributor_code: str, day: date) -> tuple[np.ndarray, np.ndarray]:
        """Per SKU: the planted anomalies' factor and whether any is in force (simulate applies it after rounding)."""
        factor, in_force = np.ones(len(self.skus)), np.zeros(len(self.skus), dtype=bool)
        for event in self.anomalies.events:
            if event.kind == "sustained_drop":
                continue
            for i, sku in enumerate(self.skus):
                if event.applies(distributor_code, sku, day):
                    factor[i] *= event.factor
                    in_force[i] = True
        return factor, in_force

    def free_goods(self, distributor_code: str, day: date) -> tuple[np.ndarray, np.ndarray]:
        """Per SKU: a free-goods scheme's (min units, free units), 0 where none applies to the line."""
        distributor = self.distributors[distributor_code]
        minimum, free = np.zeros(len(self.skus)), np.zeros(len(self.skus))
        for i, sku in enumerate(self.skus):
            scheme = _scheme_for(self.network.schemes, sku, day, distributor.layout, distributor_code)
            if scheme is not None and scheme.scheme_type == "free_goods":
                minimum[i], free[i] = scheme.min_units, scheme.free_units
        return minimum, free

    def outlets(self, distributor_code: str, day: date) -> list[OutletDemand]:
        festive = self.festive(day)
        out = []
        for outlet in self.network.real_outlets(distributor_code):
            dead_from = self.plan.dead_outlets.get(outlet.code)
            if dead_from is not None and day >= dead_from:
                continue
            profile = self.profiles[outlet.code]
            beat_weekday = self.network.beat_by_code[outlet.beat_code].weekday
            if day.weekday() == beat_weekday:
                probability = profile.order_probability
            elif day.weekday() == 6:
                probability = 0.004
            else:
                probability = 0.03 if festive == 1.0 else 0.07
            out.append(
                OutletDemand(
                    outlet.code,
                    outlet.channel,
                    probability,
                    profile.lines,
                    np.array([self.index[s] for s in profile.skus]),
                    np.log(np.array(profile.weights)),
                    np.array([profile.base[s] for s in profile.skus]),
                )
            )
        return out

    def known_orders(self, distributor_code: str, day: date, origin: date) -> tuple[set[str], np.ndarray]:
        """The outlets whose order for `day` was on the book by `origin`, and those orders' units (plus free goods)
        per SKU."""
        t = self.day_index[day]
        units = np.zeros(len(self.skus))
        outlets = set()
        terms = self.terms(distributor_code, day)
        for i, (billed, lines) in enumerate(self.demand[distributor_code][t]):
            booked_on = self.booked.get((distributor_code, t, i))
            if booked_on is None or booked_on > origin:
                continue
            outlet = self.network.outlet_by_code[billed]
            outlets.add(outlet.twin_of or outlet.code)
            for sku, n in lines:
                j = self.index[sku]
                units[j] += n + (n // terms.minimum[j] * terms.free[j] if terms.minimum[j] else 0)
        return outlets, units

    def draw(self, distributor_code: str, day: date, origin: date, rng: np.random.Generator, paths: int) -> np.ndarray:
        """paths x SKUs: the units (plus free goods) retailers take from the distributor on `day`, seen from
        `origin`."""
        k = (day - origin).days
        known, demand = self.known_orders(distributor_code, day, origin)
        terms = self.terms(distributor_code, day)
        scale, factor, in_force, minimum, free = terms.scale, terms.factor, terms.in_force, terms.minimum, terms.free
        out = np.tile(demand, (paths, 1))
        for outlet in terms.outlets:
            if outlet.code in known:
                continue
            p, b = outlet.probability, booked_at_least(outlet.channel, k)
            p_unbooked = p * (1 - b) / (1 - p * b)  # it orders, given it had not booked that order by the origin
            orders = rng.random(paths) < p_unbooked
            n = int(orders.sum())
            if n == 0:
                continue
            m = outlet.sku_index.size
            n_lines = np.minimum(m, rng.integers(outlet.lines[0], outlet.lines[1] + 1, size=n))
            keys = outlet.log_weights[None, :] + rng.gumbel(size=(n, m))
            rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
            picked = rank < n_lines[:, None]
            idx = outlet.sku_index
            wanted = outlet.base[None, :] * scale[idx][None, :] * rng.uniform(0.6, 1.4, size=(n, m))
            if self.patterns is not None:
                lump = np.where(rng.random((n, m)) < NICHE_KEEP, NICHE_LUMP, 0.0)
                wanted = np.where(self.niche[idx][None, :], wanted * lump, wanted)
            picked &= wanted > 0
            units = round_quantity(wanted, self.case[idx][None, :], rng)
            units = np.where(in_force[idx][None, :], np.maximum(1.0, np.round(units * factor[idx][None, :])), units)
            with np.errstate(divide="ignore", invalid="ignore"):
                gift = np.where(minimum[idx] > 0, np.floor(units / minimum[idx]) * free[idx], 0.0)
            taken = np.where(picked, units + gift, 0.0)
            rows = np.nonzero(orders)[0]
            np.add.at(out, (rows[:, None], idx[None, :]), taken)
        return out


def round_quantity(wanted: np.ndarray, case: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """generator/simulate.py `_round_quantity`, elementwise: whole cases 60% of the time from 3/4 of a case, else
    sixes for big packs, else units."""
    cases = np.maximum(1.0, np.round(wanted / case)) * case
    sixes = np.maximum(6.0, np.round(wanted / 6) * 6)
    units = np.maximum(1.0, np.round(wanted))
    in_cases = (wanted >= case * 0.75) & (rng.random(wanted.shape) < 0.6)
    return np.where(in_cases, cases, np.where(case >= 48, sixes, units))


def oracle_probabilities(
    law: DemandLaw, daily: pl.DataFrame, pairs: pl.DataFrame, paths: int, seed: int
) -> pl.DataFrame:
    """`pairs`: origin, distributor_code, sku_code (in stock at the origin). The oracle's probability of running out
    within HORIZON days for each."""
    flows = {
        (d, s, day): (float(r), float(m), float(b))
        for d, s, day, r, m, b in daily.select(
            *KEYS, "date", "receipts", "market_returns", "returns_to_brand"
        ).iter_rows()
    }
    closing = {(d, s, day): float(c) for d, s, day, c in daily.select(*KEYS, "date", "closing").iter_rows()}
    rows = []
    for (origin, distributor), part in pairs.group_by(["origin", "distributor_code"], maintain_order=True):
        rng = np.random.default_rng([seed, origin.toordinal(), int(distributor.strip("D") or 0)])
        days = [origin + timedelta(days=k) for k in range(1, HORIZON + 1)]
        draws = [law.draw(distributor, day, origin, rng, paths) for day in days]
        for sku in part["sku_code"]:
            j = law.index[sku]
            stock = np.full(paths, closing[(distributor, sku, origin)])
            out = np.zeros(paths, dtype=bool)
            for day, demand in zip(days, draws, strict=True):
                receipts, market, to_brand = flows.get((distributor, sku, day), (0.0, 0.0, 0.0))
                stock = stock + receipts
                taken = demand[:, j]
                out |= taken >= stock
                stock = np.maximum(stock - taken, 0.0) + market - to_brand
            rows.append((origin, distributor, sku, float(out.mean())))
    return pl.DataFrame(
        rows,
        schema={"origin": pl.Date, "distributor_code": pl.String, "sku_code": pl.String, "oracle": pl.Float64},
        orient="row",
    )


def model_frame(
    network: Network, daily: pl.DataFrame, primary: pl.DataFrame, booked: pl.DataFrame, first: date
) -> pl.DataFrame:
    """The forecast bench's stock-out frame (bench/forecast.py `origin_frame`, every origin of the held-back weeks)
    and beside it, as `with_receipts`, the same model given what the oracle knows of supply: every receipt of the 7
    days as it happened (no ordering rhythm to guess the next order from). The model's gap to the oracle, split into
    supply (what it infers of its next order) and demand (history draws against the true law)."""
    fitted: dict[date, pl.DataFrame] = {}
    sales = sales_of(daily)
    _, skus = dimensions(network)
    no_invoices = primary.head(0)
    rows = []
    origin = first
    while origin + timedelta(days=HORIZON) <= network.config.end:
        frame = origin_frame(network, daily, primary, booked, origin, fitted)
        forecast = fitted[last_complete_week(origin)].with_columns(as_of_date=pl.lit(origin))
        received = daily.filter(
            pl.col("date") > origin, pl.col("date") <= origin + timedelta(days=HORIZON), pl.col("receipts") > 0
        ).select(*KEYS, delivery_date="date", units=pl.col("receipts").cast(pl.Float64))
        known = predict_stockouts(
            forecast,
            frame.select(*KEYS, "closing_units"),
            received,
            sales.filter(pl.col("day") <= origin),
            no_invoices,
            skus,
            origin,
            booked.filter(pl.col("booked_on") <= origin),
        ).select(*KEYS, with_receipts="stockout_probability_7d")
        rows.append(frame.join(known, on=KEYS, how="left"))
        origin += timedelta(days=1)
    return pl.concat(rows)


def scores_line(name: str, scores: np.ndarray, labels: np.ndarray) -> str:
    flagged = scores >= 0.5
    tp = int((flagged & labels).sum())
    points = operating_points(scores, labels, TARGET)
    return (
        f"  {name:<8} at p >= 0.5: precision {tp / max(1, int(flagged.sum())):.3f} recall "
        f"{tp / max(1, int(labels.sum())):.3f}   PR-AUC {average_precision(scores, labels):.3f}   best recall at "
        f"precision >= {TARGET}: {points['recall_at_precision']:.3f}   best precision at recall >= {TARGET}: "
        f"{points['precision_at_recall']:.3f}"
    )


def by_first_day(frame: pl.DataFrame, columns: dict[str, str]) -> list[str]:
    """Recall at p >= 0.5 by how many days after the origin the stock-out began."""
    lines = []
    positives = frame.filter(pl.col("truth")).with_columns(
        ahead=(pl.col("first_out") - pl.col("origin")).dt.total_days()
    )
    for ahead, part in positives.group_by("ahead", maintain_order=False):
        hits = "  ".join(f"{name} {float((part[c] >= 0.5).mean()):.2f}" for name, c in columns.items())
        lines.append((int(ahead[0]), f"    day {int(ahead[0])}: {part.height:>4} ran out; recall {hits}"))
    return [line for _, line in sorted(lines)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench stockout_bound")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--paths", type=int, default=PATHS)
    parser.add_argument("--frame", type=Path, help="write the scored pair-days (model, receipts, oracle) here")
    args = parser.parse_args(argv or [])
    started = time.perf_counter()
    network, daily, primary, _, booked = simulate_network(args.seed)
    _, plan = network_and_plan(args.seed)  # the same world's plan (deterministic for the seed): the oracle's law
    first = accuracy(network, daily)["cutoff"] + timedelta(days=1)
    frame = model_frame(network, daily, primary, booked, first)
    model_seconds = time.perf_counter() - started
    started = time.perf_counter()
    law = DemandLaw(network, plan)
    oracle = oracle_probabilities(law, daily, frame.select("origin", *KEYS), args.paths, args.seed)
    oracle_seconds = time.perf_counter() - started
    frame = frame.join(oracle, on=["origin", *KEYS])
    labels = frame["truth"].to_numpy()
    if args.frame is not None:
        frame.write_parquet(args.frame)
    print(
        f"seed {args.seed}: {frame.height} pair-days in stock at the origin ({first} .. "
        f"{frame['origin'].max()}), {int(labels.sum())} ran out within {HORIZON} days; model frame "
        f"{model_seconds:.0f} s, oracle {oracle_seconds:.0f} s ({args.paths} paths)"
    )
    columns = {"model": "stockout_probability_7d", "receipts": "with_receipts", "oracle": "oracle"}
    for name, column in columns.items():
        print(scores_line(name, frame[column].to_numpy(), labels))
    print("  (receipts: the model given every receipt of the 7 days as it happened, as the oracle is)")
    print("  by the day the stock-out began (days after the origin):")
    print("\n".join(by_first_day(frame, columns)))
    for name, column in columns.items():
        print(f"  calibration, {name} (bucket: pair-days, mean predicted, share that ran out):")
        for bucket, n, predicted, observed in calibration(frame[column].to_numpy(), labels):
            print(f"    {bucket}  {n:>6}  {predicted:.3f}  {observed:.3f}")


if __name__ == "__main__":
    main()
