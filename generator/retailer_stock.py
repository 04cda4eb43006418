"""Retailer shelf stock (issue 16): what each outlet holds of the SKUs it buys, counted by reps and chains.

Each outlet x SKU it bought keeps a shelf: the outlet's true purchases (the sales lines that load, net of returns)
arrive on it, and shoppers take a little less than the outlet buys, each day, as long as there is stock. A few
outlets are planted as perpetually understocked: their shoppers want much more than they buy, so the shelf is
empty at most counts and their sales are capped by their stock (truth: `retailer_understocked.json`).

General-trade outlets of the distributors whose reps use the field app are counted by their rep on the beat's
visit day, before that day's delivery (the app's export, one file a month per distributor,
`inbox/retailer_stock/<DISTRIBUTOR>/shelf_counts_<yyyy-mm>.csv`); modern-trade chain stores send their stock on
hand every Sunday (one file a month per chain, `inbox/retailer_stock/<CHAIN>/store_stock_<yyyy-mm>.csv`, store
codes and EANs). Monthly files keep the kind cheap in every nightly build of the test suite.
Faults: an unknown item, a negative count, a line repeated cell for cell, and one distributor's last month
re-sent corrected the next day (the re-send wins).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl

from generator.field_app import field_app_distributors
from generator.files import delimited, write_delivered
from generator.masters import Network
from generator.pos import CHAINS, assign_chains, store_code

UNDERSTOCKED_SHARE = 0.08  # of the counted general-trade outlets
UNDERSTOCKED_DEMAND = 1.8  # shoppers want this much more than the outlet buys
NORMAL_DEMAND = (0.8, 0.95)
TRUTH_SCHEMA = {
    "sender_code": pl.String,
    "count_source": pl.String,
    "distributor_code": pl.String,
    "outlet_code": pl.String,
    "sku_code": pl.String,
    "count_date": pl.Date,
    "stock_units": pl.Int64,
    "file_name": pl.String,
    "expected": pl.String,
    "fault": pl.String,
}


SHELF_OUTS_SCHEMA = {"outlet_code": pl.String, "sku_code": pl.String, "day": pl.Date, "unmet_units": pl.Int64}


@dataclass
class RetailerStockOutput:
    files: list[str]
    truth: pl.DataFrame  # every line written, with what the warehouse must do with it
    understocked: list[dict]  # the planted outlets: outlet_code, distributor_code, sku_codes
    shelf_outs: pl.DataFrame  # every day a counted shelf could not meet its shoppers (SHELF_OUTS_SCHEMA)


def write_retailer_stock(network: Network, secondary: pl.DataFrame, inbox: Path) -> RetailerStockOutput:
    config = network.config
    rng = config.rng("retailer-stock")
    dates = config.dates()
    bought = _purchases(secondary)
    chains = assign_chains(network)
    chain_of = {o.code: chain for chain in CHAINS for o in chains[chain.code]}
    counted = sorted({outlet for outlet, _ in bought})
    field_app = {d.code for d in field_app_distributors(network)}  # shelf counts come with the field app
    general = [o for o in counted if o not in chain_of and network.outlet_by_code.get(o) is not None]
    general = [
        o
        for o in general
        if network.outlet_by_code[o].twin_of is None and network.outlet_by_code[o].distributor_code in field_app
    ]
    n_under = max(2, round(len(general) * UNDERSTOCKED_SHARE))
    understocked = set(rng.sample(general, min(n_under, len(general))))
    rows: list[dict] = []
    outs: list[tuple[str, str, date, int]] = []
    for outlet_code, sku_code in sorted(bought):
        outlet = network.outlet_by_code.get(outlet_code)
        if outlet is None or outlet.twin_of is not None:
            continue
        chain = chain_of.get(outlet_code)
        if chain is None and outlet_code not in general:
            continue
        weekday = 6 if chain is not None else network.beat_by_code[outlet.beat_code].weekday
        shelf, unmet = _shelf(bought[outlet_code, sku_code], dates, outlet_code in understocked, rng)
        outs += [(outlet_code, sku_code, day, units) for day, units in unmet]
        for day, stock in zip(dates, shelf, strict=True):
            if day.weekday() != weekday:
                continue
            rows.append(
                {
                    "sender_code": chain.code if chain else outlet.distributor_code,
                    "count_source": "store_inventory" if chain else "shelf_count",
                    "distributor_code": outlet.distributor_code,
                    "outlet_code": outlet_code,
                    "store_code": store_code(chain, outlet) if chain else None,
                    "rep_code": None if chain else network.beat_by_code[outlet.beat_code].rep_code,
                    "ean": network.sku_by_code[sku_code].ean,
                    "sku_code": sku_code,
                    "count_date": day,
                    "stock_units": stock,
                    "expected": "loaded",
                    "fault": None,
                }
            )
    files, truth = _write_files(network, rows, inbox)
    planted = [
        {
            "problem": "understocked_outlet",
            "outlet_code": code,
            "distributor_code": network.outlet_by_code[code].distributor_code,
            "sku_codes": sorted(s for o, s in bought if o == code),
        }
        for code in sorted(understocked)
    ]
    shelf_outs = pl.DataFrame(outs, schema=SHELF_OUTS_SCHEMA, orient="row")
    return RetailerStockOutput(files, truth, planted, shelf_outs)


def _purchases(secondary: pl.DataFrame) -> dict[tuple[str, str], dict[date, int]]:
    """Net units each outlet bought of each SKU per day, from the lines that load."""
    net = (
        secondary.filter(pl.col("expected") == "loaded")
        .with_columns(
            units=pl.when(pl.col("line_type") == "return")
            .then(-pl.col("quantity_units"))
            .otherwise(pl.col("quantity_units") + pl.col("free_units"))
        )
        .group_by("outlet_code", "sku_code", "invoice_date")
        .agg(pl.col("units").sum())
        .sort("outlet_code", "sku_code", "invoice_date")
    )
    out: dict[tuple[str, str], dict[date, int]] = defaultdict(dict)
    for outlet, sku, day, units in net.iter_rows():
        out[outlet, sku][day] = units
    return out


def _shelf(
    bought: dict[date, int], dates: list[date], understocked: bool, rng
) -> tuple[list[int], list[tuple[date, int]]]:
    """The stock on the shelf each morning, before the day's delivery, and the days (with the units) its shoppers
    wanted more than it held after the delivery: the shelf's stock-outs."""
    rate = max(0.0, sum(bought.values()) / len(dates))
    demand = rate * (UNDERSTOCKED_DEMAND if understocked else rng.uniform(*NORMAL_DEMAND))
    stock = round(rate * (rng.uniform(1, 3) if understocked else rng.uniform(10, 18)))
    morning = []
    unmet: list[tuple[date, int]] = []
    for day in dates:
        morning.append(stock)
        stock = max(0, stock + bought.get(day, 0))
        wanted = round(demand * rng.uniform(0.5, 1.5))
        if wanted > stock:
            unmet.append((day, wanted - stock))
        stock -= min(stock, wanted)
    return morning, unmet


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _write_files(network: Network, rows: list[dict], inbox: Path) -> tuple[list[str], pl.DataFrame]:
    by_file: dict[tuple[str, str, date], list[dict]] = defaultdict(list)
    for row in rows:
        by_file[row["sender_code"], row["count_source"], _month(row["count_date"])[0]].append(row)
    files: list[str] = []
    truth: list[dict] = []
    keys = sorted(by_file)
    shelf_keys = [k for k in keys if k[1] == "shelf_count"]
    faulty = shelf_keys[0] if shelf_keys else None  # the first shelf-count file carries the row faults
    resent = shelf_keys[-1] if shelf_keys else None  # the last one is re-sent corrected the next day
    for key in keys:
        sender, source, first = key
        last = _month(first)[1]
        lines = sorted(by_file[key], key=lambda r: (r["count_date"], r["outlet_code"], r["sku_code"]))
        name = f"{'shelf_counts' if source == 'shelf_count' else 'store_stock'}_{first:%Y-%m}.csv"
        path = f"retailer_stock/{sender}/{name}"
        extra: list[dict] = []
        if key == faulty:
            sample = lines[0]
            extra = [
                {**sample, "item": "Mystery Cola 2L", "expected": "quarantined", "fault": "unknown_sku"},
                {**lines[-1], "stock_units": -4, "expected": "quarantined", "fault": "negative_quantity"},
                {**lines[1], "expected": "deduplicated", "fault": "repeated_line"},
            ]
            lines = [line for line in lines if line is not lines[-1]]
        delivered = datetime.combine(last + timedelta(days=1), time(4, 0))
        write_delivered(inbox / path, _csv(source, lines + extra), delivered)
        files.append(path)
        final = lines
        if key == resent:
            corrected = [
                {**line, "stock_units": line["stock_units"] + 1} if i % 3 == 0 else line for i, line in enumerate(lines)
            ]
            name2 = name.replace(".csv", "_corrected.csv")
            write_delivered(inbox / path.replace(name, name2), _csv(source, corrected), delivered + timedelta(days=1))
            files.append(path.replace(name, name2))
            truth += [
                {**line, "file_name": path, "expected": "superseded", "fault": "resent_corrected"} for line in lines
            ]
            final = corrected
            path = path.replace(name, name2)
        truth += [{**line, "file_name": path} for line in final]
        truth += [{**line, "file_name": path} for line in extra if line["fault"] != "repeated_line"]
    frame = pl.DataFrame([{k: r.get(k) for k in TRUTH_SCHEMA} for r in truth], schema=TRUTH_SCHEMA)
    return files, frame


def _csv(source: str, lines: list[dict]) -> bytes:
    if source == "shelf_count":
        rows: list[list[object]] = [["Visit Date", "Rep", "Outlet Code", "Item", "Shelf Qty"]]
        rows += [
            [
                r["count_date"].strftime("%d-%m-%Y"),
                r["rep_code"],
                r["outlet_code"],
                r.get("item", r["sku_code"]),
                r["stock_units"],
            ]
            for r in lines
        ]
    else:
        rows = [["Store Code", "Article EAN", "SOH", "Date"]]
        rows += [
            [r["store_code"], r.get("item", r["ean"]), r["stock_units"], r["count_date"].isoformat()] for r in lines
        ]
    return delimited(rows).encode("utf-8")
