"""Daily dynamics: retailer orders, distributor stock, primary orders from the brand, returns.

Two passes. First the demand: every outlet's orders for every day (weekly beat pattern, festivals, scheme
uplift, the planted dip and dead outlets), independent of stock. Then the stock: each distributor fills the
day's orders from stock on hand (a shortfall is a lost sale), receives the brand's deliveries, takes back a
few retailer returns, sends a few goods back to the brand, and orders weekly toward a target cover.
The daily stock identity holds exactly: closing = opening + receipts - sales + market_returns - returns_to_brand,
where sales are the units handed to retailers (billed and free).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from generator.anomalies import plan_anomalies
from generator.config import (
    DIWALI,
    DUSSEHRA,
    FESTIVAL_LEAD_DAYS,
    LAYOUTS_WITH_FREE,
    LAYOUTS_WITH_RETURNS,
)
from generator.demand_patterns import plan_patterns
from generator.masters import Distributor, Network, Scheme, Sku
from generator.order_book import BookedLine, booked_orders
from generator.problems import OVERSTOCK_COVER_DAYS, STUFFING_SHARE, TWIN_SHARE, ProblemPlan
from generator.supply import plan_supply, rationed_units

FORECAST_DAYS = 28
INVOICE_FORMATS = {
    "marg_xlsx": ("A{:05d}", "SR{:04d}"),
    "busy_csv": ("BSY/{:05d}", "SRN/{:04d}"),
    "legacy_xls": ("INV{:05d}", "INR{:05d}"),
    "tally_csv": ("{}", "R{}"),
    "multisheet_xlsx": ("MS/{:06d}", "MR/{:06d}"),
    "hinglish_tsv": ("B-{:04d}", "BR-{:04d}"),
}
MARKET_RETURN_RATE = 0.15  # per distributor and trading day, where the layout carries returns
STUFFING_LAG_DAYS = 2  # a month-end push reaches the stuffed distributor two days later


@dataclass
class Line:
    sku_code: str
    quantity: int
    free: int
    rate_paise: int
    gross_paise: int
    discount_paise: int
    scheme_code: str | None = None

    @property
    def net_paise(self) -> int:
        return self.gross_paise - self.discount_paise


@dataclass
class Invoice:
    distributor_code: str
    number: str
    day: date
    outlet_code: str  # the master record billed (a duplicate record when billed under it)
    line_type: str  # sale | return
    lines: list[Line]
    cancelled: bool = False


@dataclass(frozen=True)
class PrimaryLine:
    doc_type: str  # invoice | credit_note
    doc_number: str
    doc_date: date
    delivery_date: date | None
    distributor_code: str
    sku_code: str
    quantity: int
    rate_paise: int

    @property
    def net_paise(self) -> int:
        return self.quantity * self.rate_paise


@dataclass
class Simulation:
    invoices: list[Invoice]
    primary: list[PrimaryLine]
    daily: dict[str, list] = field(default_factory=dict)  # columnar daily stock per distributor x SKU x day
    pushed: list[PrimaryLine] = field(default_factory=list)  # the stuffed distributor's month-end pushes
    # orders the brand billed short (truth only): distributor, SKU, order day, units ordered, units billed
    cuts: list[tuple[str, str, date, int, int]] = field(default_factory=list)
    # order lines known before the day they are billed (NetworkConfig.orders_booked_ahead, order_book.py)
    booked: list[BookedLine] = field(default_factory=list)


@dataclass
class _Profile:
    skus: list[str]
    weights: list[float]
    base: dict[str, float]
    order_probability: float
    lines: tuple[int, int]


def festival_multiplier(day: date) -> float:
    """+30% three weeks before Dussehra and Diwali, rising to +60% on the eve."""
    best = 1.0
    for festival in (DUSSEHRA, DIWALI):
        lead = (festival - day).days
        if 0 < lead <= FESTIVAL_LEAD_DAYS:
            best = max(best, 1.3 + 0.3 * (1 - (lead - 1) / FESTIVAL_LEAD_DAYS))
    return best


def _profiles(network: Network) -> dict[str, _Profile]:
    rng = network.config.rng("profiles")
    profiles = {}
    for outlet in network.outlets:
        if outlet.twin_of is not None:
            continue
        share = {"A": (0.55, 0.9), "B": (0.35, 0.65), "C": (0.2, 0.45)}[outlet.outlet_class]
        k = max(3, round(len(network.skus) * rng.uniform(*share)))
        pool = list(network.skus)
        chosen: list[Sku] = []
        while len(chosen) < k and pool:
            pick = rng.choices(pool, weights=[s.popularity for s in pool])[0]
            pool.remove(pick)
            chosen.append(pick)
        chosen.sort(key=lambda s: s.code)
        base = {}
        for sku in chosen:
            upc = sku.units_per_case
            low, high = {"A": (0.4, 1.2), "B": (0.15, 0.45), "C": (0.05, 0.2)}[outlet.outlet_class]
            size = upc * rng.uniform(low, high) * {"GT": 1.0, "MT": 2.5, "ECOM": 3.0}[outlet.channel]
            base[sku.code] = max(4.0, size)
        profiles[outlet.code] = _Profile(
            skus=[s.code for s in chosen],
            weights=[s.popularity * rng.uniform(0.5, 1.5) for s in chosen],
            base=base,
            order_probability={"A": 0.92, "B": 0.8, "C": 0.65}[outlet.outlet_class],
            lines={"A": (4, 8), "B": (3, 6), "C": (2, 4)}[outlet.outlet_class],
        )
    return profiles


def _round_quantity(rng: random.Random, quantity: float, units_per_case: int) -> int:
    if quantity >= units_per_case * 0.75 and rng.random() < 0.6:
        return max(1, round(quantity / units_per_case)) * units_per_case
    if units_per_case >= 48:
        return max(6, round(quantity / 6) * 6)
    return max(1, round(quantity))


Order = tuple[str, list[tuple[str, int]]]  # (billed outlet code, [(sku, units)])


def _demand(network: Network, plan: ProblemPlan) -> dict[str, list[list[Order]]]:
    """Per distributor, per day index: the orders retailers place (before stock decides what is billed)."""
    config = network.config
    rng = config.rng("demand")
    profiles = _profiles(network)
    patterns = plan_patterns(network)
    anomalies = plan_anomalies(network, plan)  # planted spikes, dips, post-scheme drops (truth: sales_anomalies)
    dates = config.dates()
    uplifts: dict[tuple[str, ...], dict[date, dict[str, float]]] = {}  # per set of schemes a distributor runs
    out: dict[str, list[list[Order]]] = {}
    for distributor in network.distributors:
        schemes = [s for s in network.schemes if s.runs_at(distributor.code)]
        key = tuple(s.code for s in schemes)
        if key not in uplifts:
            uplifts[key] = {
                day: {
                    sku: max([s.uplift for s in schemes if s.active(day) and sku in s.sku_codes], default=1.0)
                    for sku in network.sku_by_code
                }
                for day in dates
            }
        uplift = uplifts[key]
        outlets = network.real_outlets(distributor.code)
        region = distributor.town.region
        weekday_of = {o.code: network.beat_by_code[o.beat_code].weekday for o in outlets}
        days: list[list[Order]] = []
        for day in dates:
            festive = (
                festival_multiplier(day) if patterns is None else max(festival_multiplier(day), patterns.festive(day))
            )
            dip = 1 - plan.dip_drop if distributor.code == plan.dip_distributor and day >= plan.dip_from else 1.0
            orders: list[Order] = []
            for outlet in outlets:
                dead_from = plan.dead_outlets.get(outlet.code)
                if dead_from is not None and day >= dead_from:
                    continue
                profile = profiles[outlet.code]
                weekday = day.weekday()
                if weekday == weekday_of[outlet.code]:
                    probability = profile.order_probability
                elif weekday == 6:
                    probability = 0.004
                else:
                    probability = 0.03 if festive == 1.0 else 0.07
                if rng.random() >= probability:
                    continue
                n_lines = min(len(profile.skus), rng.randint(*profile.lines))
                pool, weights = list(profile.skus), list(profile.weights)
                picked = []
                for _ in range(n_lines):
                    i = rng.choices(range(len(pool)), weights=weights)[0]
                    picked.append(pool.pop(i))
                    weights.pop(i)
                lines = []
                for sku_code in sorted(picked):
                    sku = network.sku_by_code[sku_code]
                    wanted = profile.base[sku_code] * festive * uplift[day][sku_code] * dip * rng.uniform(0.6, 1.4)
                    if patterns is not None:  # realistic demand only (demand_patterns.py)
                        wanted *= patterns.factor(region, sku_code, day) * patterns.line_size(sku_code)
                        if wanted <= 0:
                            continue
                    units = _round_quantity(rng, wanted, sku.units_per_case)
                    lines.append((sku_code, anomalies.scaled(distributor.code, sku_code, day, units)))
                billed = outlet.code
                if outlet.twin_code is not None and rng.random() < TWIN_SHARE:
                    billed = outlet.twin_code
                orders.append((billed, lines))
            days.append(orders)
        out[distributor.code] = days
    return out


def _scheme_for(schemes: list[Scheme], sku_code: str, day: date, layout: str, distributor_code: str) -> Scheme | None:
    for scheme in schemes:
        if not scheme.active(day) or sku_code not in scheme.sku_codes or not scheme.runs_at(distributor_code):
            continue
        if scheme.scheme_type == "free_goods" and layout not in LAYOUTS_WITH_FREE:
            continue  # its software has no free column: this distributor does not run free-goods schemes
        return scheme
    return None


def _priced(line: Line, network: Network, day: date, distributor: Distributor) -> Line:
    """Gross, and the scheme the line earns: a discount, or free goods (capped by stock by the caller)."""
    line.gross_paise = line.quantity * line.rate_paise
    line.discount_paise, line.free, line.scheme_code = 0, 0, None
    scheme = _scheme_for(network.schemes, line.sku_code, day, distributor.layout, distributor.code)
    if scheme is None:
        return line
    if scheme.scheme_type == "free_goods":
        free = (line.quantity // scheme.min_units) * scheme.free_units
        if free > 0:
            line.free, line.scheme_code = free, scheme.code
    elif line.quantity >= scheme.min_units:
        line.discount_paise = percent_of(line.gross_paise, scheme.discount_pct)
        line.scheme_code = scheme.code
    return line


def _cancellations(rng: random.Random, days: list[list[Order]], dates: list[date]) -> set[tuple[int, int]]:
    """(day index, order position) of 1-3 bills a week that a Busy user cancels and re-issues."""
    weeks: dict[date, list[tuple[int, int]]] = {}
    for t, orders in enumerate(days):
        monday = dates[t] - timedelta(days=dates[t].weekday())
        weeks.setdefault(monday, []).extend((t, i) for i in range(len(orders)))
    chosen: set[tuple[int, int]] = set()
    for orders in weeks.values():
        chosen.update(rng.sample(orders, min(len(orders), rng.randint(1, 3))))
    return chosen


def percent_of(paise: int, pct: float) -> int:
    """Half-up rounding to the paisa."""
    tenths = round(pct * 10)
    return (paise * tenths + 500) // 1000


class _Numbers:
    def __init__(self, layout: str, rng: random.Random) -> None:
        self.sale_format, self.return_format = INVOICE_FORMATS[layout]
        self.sale = rng.randrange(100, 3000)
        self.ret = rng.randrange(1, 200)

    def next_sale(self) -> str:
        self.sale += 1
        return self.sale_format.format(self.sale)

    def next_return(self) -> str:
        self.ret += 1
        return self.return_format.format(self.ret)


def simulate(network: Network, plan: ProblemPlan) -> Simulation:
    config = network.config
    dates = config.dates()
    demand = _demand(network, plan)
    rng = config.rng("stock")
    skus = network.skus
    invoices: list[Invoice] = []
    primary: list[PrimaryLine] = []
    daily: dict[str, list] = defaultdict(list)
    pushes: list[PrimaryLine] = []
    cuts: list[tuple[str, str, date, int, int]] = []
    supply = plan_supply(network)  # depot shortages and credit holds (NetworkConfig.supply_disruptions)

    for distributor in network.distributors:
        code = distributor.code
        days = demand[code]
        requested = {s.code: [0] * len(dates) for s in skus}
        for t, orders in enumerate(days):
            for _, lines in orders:
                for sku_code, units in lines:
                    requested[sku_code][t] += units
        cover = OVERSTOCK_COVER_DAYS if code == plan.overstock else rng.uniform(24, 30)
        first = min(FORECAST_DAYS, len(dates))
        cover0 = rng.uniform(21, 28)
        stock = {}
        for sku in skus:
            rate = sum(requested[sku.code][:first]) / first
            stock[sku.code] = math.ceil(rate * cover0 / sku.units_per_case) * sku.units_per_case if rate else 0
        arrivals: dict[int, list[tuple[str, int]]] = defaultdict(list)
        in_transit = dict.fromkeys(stock, 0)
        pushed = dict.fromkeys(stock, 0)  # stuffed stock (billed by the brand unasked): its orders ignore it
        month_from = 0
        numbers = _Numbers(distributor.layout, rng)
        recent: list[Invoice] = []
        cancels = _cancellations(rng, days, dates) if distributor.layout == "busy_csv" else set()
        returns_days = sorted(
            rng.sample(range(round(len(dates) * 0.15), round(len(dates) * 0.9)), rng.choice((1, 2, 2)))
        )

        for t, day in enumerate(dates):
            opening = dict(stock)
            receipts = dict.fromkeys(stock, 0)
            sold = dict.fromkeys(stock, 0)
            lost = dict.fromkeys(stock, 0)
            market = dict.fromkeys(stock, 0)
            to_brand = dict.fromkeys(stock, 0)
            for sku_code, units in arrivals.pop(t, []):
                stock[sku_code] += units
                receipts[sku_code] += units
                in_transit[sku_code] -= units

            for position, (billed, wanted) in enumerate(days[t]):
                lines = []
                for sku_code, units in wanted:
                    filled = min(units, stock[sku_code])
                    lost[sku_code] += units - filled
                    if filled <= 0:
                        continue
                    sku = network.sku_by_code[sku_code]
                    line = _priced(Line(sku_code, filled, 0, sku.ptr_paise, 0, 0), network, day, distributor)
                    scheme = network.scheme_by_code.get(line.scheme_code or "")
                    if scheme is not None and scheme.scheme_type == "free_goods":
                        line.free = min(line.free, stock[sku_code] - filled)
                        if line.free <= 0:
                            line.free, line.scheme_code = 0, None
                    stock[sku_code] -= line.quantity + line.free
                    sold[sku_code] += line.quantity + line.free
                    lines.append(line)
                if not lines:
                    continue
                if (t, position) in cancels:
                    # billed wrongly, cancelled, and billed again under the next number: no goods moved
                    wrong = [replace(line) for line in lines]
                    mistake = rng.randrange(len(wrong))
                    wrong[mistake].quantity += network.sku_by_code[wrong[mistake].sku_code].units_per_case
                    wrong = [_priced(line, network, day, distributor) for line in wrong]
                    invoices.append(Invoice(code, numbers.next_sale(), day, billed, "sale", wrong, cancelled=True))
                invoice = Invoice(code, numbers.next_sale(), day, billed, "sale", lines)
                invoices.append(invoice)
                recent.append(invoice)

            recent = [i for i in recent if (day - i.day).days <= 14]
            if (
                distributor.layout in LAYOUTS_WITH_RETURNS
                and day.weekday() != 6
                and recent
                and rng.random() < MARKET_RETURN_RATE
            ):
                source = rng.choice(recent)
                line = rng.choice(source.lines)
                units = min(line.quantity, max(1, round(line.quantity * rng.uniform(0.05, 0.25))))
                back = Line(line.sku_code, units, 0, line.rate_paise, units * line.rate_paise, 0)
                invoices.append(Invoice(code, numbers.next_return(), day, source.outlet_code, "return", [back]))
                stock[line.sku_code] += units
                market[line.sku_code] += units

            if t in returns_days:
                candidates = [s for s in skus if stock[s.code] >= s.units_per_case]
                if candidates:
                    sku = rng.choice(candidates)
                    units = max(1, round(stock[sku.code] * rng.uniform(0.03, 0.08)))
                    primary.append(
                        PrimaryLine("credit_note", f"{code}/{t}", day, None, code, sku.code, units, sku.primary_paise)
                    )
                    stock[sku.code] -= units
                    to_brand[sku.code] += units

            if day.weekday() == distributor.order_weekday:
                lag = rng.randint(2, 5)
                ordered = []
                for sku in skus:
                    if plan.replenish is not None and plan.replenish.active(t):  # the system orders (closed_loop.py)
                        ordered += [(sku, plan.replenish.units(code, sku, t, day, stock, in_transit, daily))]
                        continue
                    series = requested[sku.code]
                    # the distributor's forecast: the last four weeks of orders (the first four at the start)
                    recent_days = series[t - FORECAST_DAYS : t] if t >= FORECAST_DAYS else series[:first]
                    rate = sum(recent_days) / len(recent_days)
                    need = rate * cover - stock[sku.code] - in_transit[sku.code] + pushed[sku.code]
                    if rate <= 0 or need <= 0:
                        continue
                    asked = math.ceil(need / sku.units_per_case) * sku.units_per_case
                    units = rationed_units(
                        plan, code, sku, t, len(dates), asked, rate, stock[sku.code] + in_transit[sku.code]
                    )
                    if units < asked:
                        cuts.append((code, sku.code, day, asked, units))
                    if units > 0:
                        ordered.append((sku, units))
                ordered = [(sku, units) for sku, units in ordered if units > 0]
                if supply is not None:
                    billed = [(sku, supply.billed(code, sku, day, units)) for sku, units in ordered]
                    pairs = zip(ordered, billed, strict=True)
                    cuts += [(code, sku.code, day, a, b) for (sku, a), (_, b) in pairs if b < a]
                    ordered = [(sku, units) for sku, units in billed if units > 0]
                if ordered:
                    for sku, units in ordered:
                        primary.append(
                            PrimaryLine(
                                "invoice",
                                f"{code}/{t}",
                                day,
                                day + timedelta(days=lag),
                                code,
                                sku.code,
                                units,
                                sku.primary_paise,
                            )
                        )
                        arrivals[t + lag].append((sku.code, units))
                        in_transit[sku.code] += units

            if (day + timedelta(days=1)).day == 1:  # the month's last day
                if code == plan.stuffed:
                    for sku in skus:
                        month_orders = sum(requested[sku.code][month_from : t + 1])
                        units = math.ceil(STUFFING_SHARE * month_orders / sku.units_per_case) * sku.units_per_case
                        if supply is not None:  # no push of what the depot is out of, nor to a distributor on hold
                            units = supply.billed(code, sku, day, units)
                        if units <= 0:
                            continue
                        delivery = day + timedelta(days=STUFFING_LAG_DAYS)
                        push = PrimaryLine(
                            "invoice", f"{code}/{t}/push", day, delivery, code, sku.code, units, sku.primary_paise
                        )
                        primary.append(push)
                        pushes.append(push)
                        arrivals[t + STUFFING_LAG_DAYS].append((sku.code, units))
                        in_transit[sku.code] += units
                        pushed[sku.code] += units
                month_from = t + 1

            for sku in skus:
                s = sku.code
                daily["distributor_code"].append(code)
                daily["sku_code"].append(s)
                daily["date"].append(day)
                daily["opening"].append(opening[s])
                daily["receipts"].append(receipts[s])
                daily["sales"].append(sold[s])
                daily["market_returns"].append(market[s])
                daily["returns_to_brand"].append(to_brand[s])
                daily["lost_sales_units"].append(lost[s])
                daily["closing"].append(stock[s])

    return Simulation(invoices, _numbered(primary, rng), dict(daily), pushes, cuts, booked_orders(network, demand))


def _numbered(primary: list[PrimaryLine], rng: random.Random) -> list[PrimaryLine]:
    """ERP document numbers run in date order over all distributors: invoices 90..., credit notes 60..."""
    primary.sort(key=lambda p: (p.doc_date, p.doc_type, p.distributor_code, p.sku_code))
    numbers = {"invoice": 9000100000 + rng.randrange(1000, 9000), "credit_note": 6000200000 + rng.randrange(100, 900)}
    assigned: dict[tuple[str, str], str] = {}
    out = []
    for line in primary:
        key = (line.doc_type, line.doc_number)
        if key not in assigned:
            numbers[line.doc_type] += rng.randrange(1, 40)
            assigned[key] = str(numbers[line.doc_type])
        out.append(replace(line, doc_number=assigned[key]))
    return out
