"""Field-sales app (SFA) exports: for one or two distributors (never one that also takes WhatsApp orders, so no
order is told twice), reps carry a phone app on their beats.

On a beat's weekday the rep calls on the beat's outlets in a route; an outlet's order of that day (the
simulation's requested order, `simulate._demand`, the same one the invoices fill) is taken on the call, so
orders never add sales: invoices stay the sales, these are orders (fill rate) and calls (productivity). Orders
on other days reach the distributor by phone and are not in the app. Outlets without an order that day get an
unproductive call, except a few the rep skips.

What the exports carry on purpose (all in the truth):
- offline double syncs: some orders are re-sent in a later week's export (later server time), a few are repeated
  within one export;
- visits checked in far (1-5 km) from the outlet, and phones with a skewed clock (45 min to 3 h);
- bad order lines added to real orders: an unknown SKU, a quantity that is not a whole number, a broken device
  time (the pipeline quarantines them; they are not part of the orders' truth quantity);
- a rep who games his numbers (`gamed_rep`): to every real order he books he adds lines of other SKUs, a case
  each, that the outlet never asked for and no invoice ever fills (loaded, in the orders' truth; on
  `problems.json`'s `gamed_orders` entry).
One export a week per distributor (Sunday night): JSON lines (with the app's productive flag, server times in
UTC) for the first distributor, CSV (one file, a `type` column, no productive flag) for the second.

With `orders_booked_ahead` (generator/order_book.py) the app also carries the order book, for every distributor:
`write_order_book` writes each booking day's orders booked ahead (with their delivery date) in a daily export, and
the beat calls here leave those orders out.

Truth: `truth/sfa_orders.parquet` (one row per order line as meant, plus the bad lines, `expected` loaded or
quarantined), `truth/sfa_visits.parquet` (every visit) and `truth/sfa_flagged_visits.parquet` (far or skewed).
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl

from generator.files import write_delivered
from generator.masters import Distributor, Network, Outlet
from generator.order_book import booked_days
from generator.problems import ProblemPlan
from generator.simulate import _demand
from generator.whatsapp import chat_distributors

IST_OFFSET = timedelta(hours=5, minutes=30)
FAR_SHARE, SKEW_SHARE, SKIP_SHARE = 0.03, 0.03, 0.08
RESYNC_SHARE, REPEAT_SHARE = 0.06, 0.02
PHANTOM_LINES = 2  # lines the gamed rep adds to each real order he books
CSV_COLUMNS = (
    "type",
    "visit_id",
    "client_order_id",
    "line_no",
    "rep_code",
    "outlet_code",
    "lat",
    "lng",
    "sku",
    "qty",
    "device_time",
    "server_time",
)
ORDER_SCHEMA = {
    "distributor_code": pl.String,
    "client_order_id": pl.String,
    "line_number": pl.Int32,
    "visit_id": pl.String,
    "rep_code": pl.String,
    "beat_code": pl.String,
    "outlet_code": pl.String,
    "sku_code": pl.String,
    "quantity_units": pl.Int64,
    "order_date": pl.Date,
    "syncs": pl.Int32,  # how many times the line was sent (re-syncs and repeats included)
    "expected": pl.String,  # loaded | quarantined
    "fault": pl.String,  # null, or unknown_sku | bad_quantity | bad_time (quarantined); padded (loaded)
}
VISIT_SCHEMA = {
    "distributor_code": pl.String,
    "visit_id": pl.String,
    "rep_code": pl.String,
    "beat_code": pl.String,
    "outlet_code": pl.String,
    "visit_date": pl.Date,
    "month_start": pl.Date,
    "productive": pl.Boolean,
    "order_lines": pl.Int64,  # lines expected to load
    "far_from_outlet": pl.Boolean,
    "clock_skewed": pl.Boolean,
    "distance_m": pl.Float64,
    "skew_minutes": pl.Float64,
}


@dataclass
class _Sync:
    """One record as sent: its server time decides which weekly export carries it."""

    server: datetime
    record: dict


@dataclass
class _Field:
    distributor: Distributor
    rng: random.Random
    syncs: list[_Sync] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    last_sync: datetime = datetime.max  # the last export's cut-off: no sync after it
    visit_count: int = 0
    order_count: int = 0


def field_app_distributors(network: Network) -> list[Distributor]:
    chats = {d.code for d in chat_distributors(network)}
    candidates = [d for d in network.distributors if d.code not in chats]
    count = min(len(candidates), 1 if len(network.distributors) < 3 else 2)
    rng = network.config.rng("field_app")
    return sorted(rng.sample(candidates, count), key=lambda d: d.code)


def gamed_rep(network: Network) -> str | None:
    """The rep who pads his field-app orders: the last rep of the first field-app distributor."""
    distributors = field_app_distributors(network)
    reps = [r.code for r in network.reps if distributors and r.distributor_code == distributors[0].code]
    return reps[-1] if reps else None


def write_field_app(network: Network, plan: ProblemPlan, inbox: Path) -> tuple[list[str], dict[str, pl.DataFrame]]:
    """Write the weekly exports under `inbox/sfa/<distributor>/`; return their names and the truth frames."""
    demand = _demand(network, plan)
    booked = booked_days(network, demand)  # told in the order book's exports (write_order_book), not on the call
    files: list[str] = []
    orders: list[dict] = []
    visits: list[dict] = []
    padded_by = gamed_rep(network)
    for k, distributor in enumerate(field_app_distributors(network)):
        state = _Field(distributor, network.config.rng(f"field_app/{distributor.code}"))
        state.last_sync = datetime.combine(network.config.end, time(21, 0))
        skip = {(t, i) for code, t, i in booked if code == distributor.code}
        _simulate_calls(network, state, demand[distributor.code], padded_by, skip)
        files += _write_exports(network, state, inbox, "jsonl" if k % 2 == 0 else "csv")
        orders += state.orders
        visits += state.visits
    order_frame = pl.DataFrame(orders, schema=ORDER_SCHEMA)
    visit_frame = pl.DataFrame(visits, schema=VISIT_SCHEMA)
    flagged = visit_frame.filter(pl.col("far_from_outlet") | pl.col("clock_skewed"))
    return files, {"sfa_orders": order_frame, "sfa_visits": visit_frame, "sfa_flagged_visits": flagged}


# --- the calls --------------------------------------------------------------------------------------------------
def _simulate_calls(
    network: Network,
    state: _Field,
    days: list,
    padded_by: str | None = None,
    skip: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset(),
) -> None:
    code = state.distributor.code
    padding = network.config.rng(f"field_app/{code}/padding")  # its own stream: the other draws stay the same
    beats = [b for b in network.beats if b.distributor_code == code]
    outlets = network.real_outlets(code)
    for t, day_orders in enumerate(days):
        day = network.config.start + timedelta(days=t)
        wanted: dict[str, list[tuple[str, int]]] = {}
        for i, (billed, lines) in enumerate(day_orders):
            if (t, i) in skip:  # booked ahead: in the order book's export of its booking day
                continue
            outlet = network.outlet_by_code[billed]
            wanted.setdefault(outlet.twin_of or outlet.code, []).extend(lines)
        for beat in beats:
            if beat.weekday != day.weekday():
                continue
            route = [o for o in outlets if o.beat_code == beat.code]
            state.rng.shuffle(route)
            clock = datetime.combine(day, time(9, 30)) + timedelta(minutes=state.rng.randint(0, 40))
            for outlet in route:
                lines = wanted.get(outlet.code)
                if not lines and state.rng.random() < SKIP_SHARE:
                    continue
                clock += timedelta(minutes=state.rng.randint(6, 25))
                booked = _merged(lines or [])
                padded = _padding(network, padding, booked) if booked and beat.rep_code == padded_by else []
                _call(state, beat.code, beat.rep_code, outlet, clock, sorted(booked + padded), {s for s, _ in padded})


def _padding(network: Network, rng: random.Random, lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """PHANTOM_LINES lines of SKUs the real order does not have, a case each: never asked for, never invoiced."""
    ordered = {sku for sku, _ in lines}
    pool = [s for s in network.skus if s.code not in ordered]
    return [(s.code, s.units_per_case) for s in rng.sample(pool, min(PHANTOM_LINES, len(pool)))]


def _merged(lines: list[tuple[str, int]]) -> list[tuple[str, int]]:
    total: dict[str, int] = {}
    for sku, units in lines:
        total[sku] = total.get(sku, 0) + units
    return sorted(total.items())


def _call(
    state: _Field,
    beat: str,
    rep: str,
    outlet: Outlet,
    when: datetime,
    lines: list[tuple[str, int]],
    padded: set[str] | None = None,
) -> None:
    rng, code = state.rng, state.distributor.code
    state.visit_count += 1
    visit_id = f"{code}-V{state.visit_count:06d}"
    far = rng.random() < FAR_SHARE
    skew = rng.choice((-1, 1)) * rng.randint(45, 180) if rng.random() < SKEW_SHARE else 0
    lat, lon, distance = _checkin_gps(rng, outlet, far)
    device = when + timedelta(minutes=skew)
    server = when + timedelta(seconds=rng.randint(5, 600))
    visit = {
        "type": "visit",
        "visit_id": visit_id,
        "rep_code": rep,
        "outlet_code": outlet.code,
        "lat": lat,
        "lng": lon,
        "device_time": device,
        "server_time": server,
        "productive": bool(lines),
    }
    state.syncs.append(_Sync(server, visit))
    loaded_lines = len(lines)
    if lines:
        _order(state, visit_id, rep, beat, outlet, device, server, lines, padded or set())
    state.visits.append(
        {
            "distributor_code": code,
            "visit_id": visit_id,
            "rep_code": rep,
            "beat_code": beat,
            "outlet_code": outlet.code,
            "visit_date": device.date(),
            "month_start": device.date().replace(day=1),
            "productive": bool(lines),
            "order_lines": loaded_lines,
            "far_from_outlet": far,
            "clock_skewed": skew != 0,
            "distance_m": distance,
            "skew_minutes": float(abs(skew)),
        }
    )


def _checkin_gps(rng: random.Random, outlet: Outlet, far: bool) -> tuple[float, float, float]:
    """Check-in position: within ~40 m of the outlet, or 1-5 km away; with its approximate distance."""
    metres = rng.uniform(1_000, 5_000) if far else rng.uniform(0, 40)
    bearing = rng.uniform(0, 6.283)
    dlat = metres * math.cos(bearing) / 111_320
    dlon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(outlet.latitude)))
    return round(outlet.latitude + dlat, 6), round(outlet.longitude + dlon, 6), metres


def _order(
    state: _Field,
    visit_id: str,
    rep: str,
    beat: str,
    outlet: Outlet,
    device: datetime,
    server: datetime,
    lines: list[tuple[str, int]],
    padded: set[str],
) -> None:
    rng, code = state.rng, state.distributor.code
    state.order_count += 1
    client_id = f"{rep}-{state.order_count:05d}-{rng.randrange(16**6):06x}"
    placed = device + timedelta(minutes=rng.randint(2, 6))
    records = [
        {
            "type": "order_line",
            "client_order_id": client_id,
            "line_no": i,
            "visit_id": visit_id,
            "rep_code": rep,
            "outlet_code": outlet.code,
            "sku": sku,
            "qty": units,
            "device_time": placed,
            "server_time": server,
        }
        for i, (sku, units) in enumerate(lines, start=1)
    ]
    faults = _bad_line(rng, records[0], len(records) + 1)
    r = rng.random()
    sends = [server]
    if r < RESYNC_SHARE:
        later = server + timedelta(days=rng.randint(1, 9), minutes=rng.randint(1, 600))
        sends.append(max(server + timedelta(minutes=1), min(later, state.last_sync)))
    elif r < RESYNC_SHARE + REPEAT_SHARE:
        sends.append(server)  # the same sync twice in one export
    for sent in sends:
        for record in records + faults:
            state.syncs.append(_Sync(sent, {**record, "server_time": sent}))
    base = {"distributor_code": code, "client_order_id": client_id, "visit_id": visit_id, "rep_code": rep}
    base |= {"beat_code": beat, "outlet_code": outlet.code, "order_date": placed.date(), "syncs": len(sends)}
    for record in records:
        state.orders.append(
            base
            | {"line_number": record["line_no"], "sku_code": record["sku"], "quantity_units": record["qty"]}
            | {"expected": "loaded", "fault": "padded" if record["sku"] in padded else None}
        )
    for record in faults:
        state.orders.append(
            base
            | {"line_number": record["line_no"], "sku_code": None, "quantity_units": None}
            | {"expected": "quarantined", "fault": record.pop("_fault")}
        )


def _bad_line(rng: random.Random, template: dict, line_no: int) -> list[dict]:
    """Now and then, one extra line the app should never have sent."""
    if rng.random() >= 0.01:
        return []
    fault = rng.choice(("unknown_sku", "bad_quantity", "bad_time"))
    record = {**template, "line_no": line_no, "_fault": fault}
    if fault == "unknown_sku":
        record["sku"] = f"TEST-ITEM-{rng.randint(100, 999)}"
    elif fault == "bad_quantity":
        record["qty"] = rng.choice(("2.5", "abc", "0.5"))
    else:
        record["device_time"] = "31/02/2026 25:61"
    return [record]


# --- the exports ------------------------------------------------------------------------------------------------
def _write_exports(network: Network, state: _Field, inbox: Path, style: str) -> list[str]:
    """One export per week (Monday to Sunday of the server time), delivered Sunday 22:00 IST."""
    start, end = network.config.start, network.config.end
    last_week = end - timedelta(days=end.weekday())
    weeks: dict[date, list[_Sync]] = {}
    for sync in state.syncs:
        day = min(sync.server.date(), end)
        week = day - timedelta(days=day.weekday())
        weeks.setdefault(min(week, last_week), []).append(sync)
    names = []
    for week, syncs in sorted(weeks.items()):
        syncs.sort(key=lambda s: s.server)
        first, last = max(week, start), min(week + timedelta(days=6), end)
        name = f"sfa/{state.distributor.code}/sfa_export_{first:%Y-%m-%d}_{last:%Y-%m-%d}.{style}"
        data = _jsonl(syncs) if style == "jsonl" else _csv(syncs)
        delivered = datetime.combine(last, time(22, 0)) - IST_OFFSET
        write_delivered(inbox / name, data, delivered)
        names.append(name)
    return names


def _iso(value: object, utc: bool) -> object:
    if not isinstance(value, datetime):
        return value
    if utc:
        return (value - IST_OFFSET).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.strftime("%Y-%m-%dT%H:%M:%S+05:30")


def _jsonl(syncs: list[_Sync]) -> bytes:
    lines = []
    for sync in syncs:
        record = {k: v for k, v in sync.record.items() if not k.startswith("_")}
        record["device_time"] = _iso(record["device_time"], utc=False)
        record["server_time"] = _iso(record["server_time"], utc=True)
        lines.append(json.dumps(record, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv(syncs: list[_Sync]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for sync in syncs:
        record = dict(sync.record)
        for key in ("device_time", "server_time"):
            value = record[key]
            record[key] = value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else value
        writer.writerow(record)
    return out.getvalue().encode("utf-8")


# --- the order book ---------------------------------------------------------------------------------------------
BOOK_SCHEMA = {
    "distributor_code": pl.String,
    "client_order_id": pl.String,
    "line_number": pl.Int32,
    "rep_code": pl.String,
    "outlet_code": pl.String,
    "sku_code": pl.String,
    "booked_on": pl.Date,
    "due_date": pl.Date,  # the day the order is billed (its delivery date in the export)
    "quantity_units": pl.Int64,
}


def write_order_book(network: Network, plan: ProblemPlan, inbox: Path) -> tuple[list[str], pl.DataFrame]:
    """With `orders_booked_ahead` (generator/order_book.py), every distributor's orders booked before the day they
    are billed, as the field app exports them: one JSON-lines file per distributor and booking day
    (`sfa/<distributor>/sfa_orders_<day>.jsonl`, delivered 21:30 IST that day, before the night's run), order
    lines taken outside a visit (no visit id; the outlet's beat rep), each with its `delivery_date` (the day it is
    billed: a modern-trade PO's date, the van's next run for a pre-sold beat). A field-app distributor's beat calls
    leave these orders out (write_field_app), so no order is told twice. Returns the files and the truth (one row
    per line, `truth/order_book.parquet`); no files when the book is off."""
    demand = _demand(network, plan)
    booked = booked_days(network, demand)
    dates = network.config.dates()
    reps = {d.code: [r.code for r in network.reps if r.distributor_code == d.code] for d in network.distributors}
    rng = network.config.rng("order_book/export")
    by_file: dict[tuple[str, date], list[dict]] = {}
    truth: list[dict] = []
    count: dict[str, int] = {}
    for (code, t, i), booked_on in booked.items():
        billed, lines = demand[code][t][i]
        lines = [(sku, units) for sku, units in lines if units > 0]
        if not lines:
            continue
        outlet = network.outlet_by_code[billed]
        rep = network.beat_by_code[outlet.beat_code].rep_code if outlet.beat_code in network.beat_by_code else None
        rep = rep or reps[code][0]
        count[code] = count.get(code, 0) + 1
        client_id = f"{rep}-B{count[code]:05d}-{rng.randrange(16**6):06x}"
        device = datetime.combine(booked_on, time(10, 0)) + timedelta(minutes=rng.randint(0, 540))
        server = device + timedelta(seconds=rng.randint(5, 900))
        for n, (sku, units) in enumerate(lines, start=1):
            record = {"type": "order_line", "client_order_id": client_id, "line_no": n, "visit_id": None}
            record |= {"rep_code": rep, "outlet_code": billed, "sku": sku, "qty": units}
            record |= {"device_time": device, "server_time": server, "delivery_date": dates[t].isoformat()}
            by_file.setdefault((code, booked_on), []).append(record)
            truth.append(
                {"distributor_code": code, "client_order_id": client_id, "line_number": n, "rep_code": rep}
                | {"outlet_code": billed, "sku_code": sku, "booked_on": booked_on, "due_date": dates[t]}
                | {"quantity_units": units}
            )
    names = []
    for (code, day), records in sorted(by_file.items()):
        name = f"sfa/{code}/sfa_orders_{day:%Y-%m-%d}.jsonl"
        syncs = [_Sync(r["server_time"], r) for r in sorted(records, key=lambda r: r["server_time"])]
        write_delivered(inbox / name, _jsonl(syncs), datetime.combine(day, time(21, 30)) - IST_OFFSET)
        names.append(name)
    return names, pl.DataFrame(truth, schema=BOOK_SCHEMA)
