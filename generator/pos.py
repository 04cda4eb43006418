"""Modern-trade chains' POS sell-out files: three chains, three layouts (CSV daily lines, xlsx weekly totals, and
a bakery chain's till export: one row per unit sold, so identical rows repeat, with its own product codes and no
EANs), one file a week, every third file restating the two weeks before it; plus the chain_stores master and the
chain_products master (the bakery's codes -> SKUs).

Truth (`truth/pos_sales.parquet`): the figure a warehouse must end with per chain x store x article (EAN, or the
chain's product code) x day/week (the last file covering it wins); `truth/pos_faults.json`: the rows planted to be
quarantined (bad EAN, unknown product code, unmapped store).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from generator.files import delimited, workbook_bytes, write_delivered
from generator.masters import Network, Outlet, Sku

RESTATE_EVERY = 3  # every third weekly file also restates the two weeks before it (14 days back)
RESTATE_WEEKS = 2
SKUS_PER_STORE = 4
UNMAPPED_STORE = "9999"


@dataclass(frozen=True)
class Chain:
    code: str
    store_prefix: str
    grain: str  # day | week
    extension: str
    till_rows: bool = False  # one row per unit sold, the chain's own product codes and no EAN


CHAINS = (
    Chain("SMARTMART", "SM-", "day", ".csv"),
    Chain("FRESHCO", "FC", "week", ".xlsx"),
    Chain("BAKEHOUSE", "BH", "day", ".csv", till_rows=True),
)
UNKNOWN_PRODUCT = "P9999"


@dataclass
class PosOutput:
    files: list[str]
    chain_stores: bytes
    truth: pl.DataFrame
    faults: list[dict]
    chain_products: bytes = b""


def product_code(sku: Sku) -> str:
    """The bakery chain's own code for a SKU (its till knows no EANs)."""
    return f"P{sku.code[-4:]}"


def chain_products_csv(network: Network) -> bytes:
    rows = [("chain_code", "product_code", "sku_code")]
    rows += [(chain.code, product_code(sku), sku.code) for chain in CHAINS if chain.till_rows for sku in network.skus]
    return delimited(rows).replace("\r\n", "\n").encode("utf-8")


def store_code(chain: Chain, outlet: Outlet) -> str:
    return f"{chain.store_prefix}{outlet.code[-4:]}"


def assign_chains(network: Network) -> dict[str, list[Outlet]]:
    """Modern-trade outlets split between the chains, alternately (every chain gets at least one store)."""
    mt = sorted((o for o in network.outlets if o.channel == "MT" and o.twin_of is None), key=lambda o: o.code)
    if len(mt) < len(CHAINS):
        mt = sorted(network.outlets, key=lambda o: o.code)[: len(CHAINS)]
    return {chain.code: mt[i :: len(CHAINS)] for i, chain in enumerate(CHAINS)}


def chain_stores_csv(stores: dict[str, list[Outlet]]) -> bytes:
    rows = [("chain_code", "store_code", "outlet_code")]
    for chain in CHAINS:
        rows += [(chain.code, store_code(chain, o), o.code) for o in stores[chain.code]]
    return delimited(rows).replace("\r\n", "\n").encode("utf-8")


def _units(seed: int, chain: str, store: str, sku: str, day: date, version: int) -> int:
    base = random.Random(f"pos/{seed}/{chain}/{store}/{sku}/{day}").randint(0, 6)
    return base + (1 if version and day.toordinal() % 4 == 0 else 0)  # a restatement corrects some days


def _figures(network: Network, chain: Chain, outlets: list[Outlet], days: list[date], version: int) -> list[dict]:
    seed = network.config.seed
    rows = []
    for outlet in outlets:
        picker = random.Random(f"pos/{seed}/{chain.code}/{outlet.code}/skus")
        skus: list[Sku] = picker.sample(network.skus, min(SKUS_PER_STORE, len(network.skus)))
        store = store_code(chain, outlet)
        for sku in skus:
            if chain.grain == "day":
                for day in days:
                    units = _units(seed, chain.code, store, sku.code, day, version)
                    if units:
                        rows.append(_row(chain, store, outlet, sku, day, units))
            else:
                units = sum(_units(seed, chain.code, store, sku.code, day, version) for day in days)
                if units:
                    rows.append(_row(chain, store, outlet, sku, days[0], units))
    return rows


def _row(chain: Chain, store: str, outlet: Outlet, sku: Sku, day: date, units: int) -> dict:
    return {
        "chain_code": chain.code,
        "store_code": store,
        "outlet_code": outlet.code,
        "ean": None if chain.till_rows else sku.ean,
        "product_code": product_code(sku) if chain.till_rows else None,
        "sku_code": sku.code,
        "item": sku.name,
        "sale_date": day,
        "date_grain": chain.grain,
        "units": units,
        "value_paise": units * sku.mrp_paise,
    }


def _bad_ean(ean: str) -> str:
    return ean[:-1] + str((int(ean[-1]) + 1) % 10)


def _csv_bytes(rows: list[dict]) -> bytes:
    table = [("Store Code", "EAN", "Article Description", "Bill Date", "Sold Qty", "Net Sales")]
    table += [
        (r["store_code"], r["ean"], r["item"], r["sale_date"].strftime("%d-%m-%Y"), r["units"], r["value_paise"] / 100)
        for r in rows
    ]
    return delimited(table).encode("utf-8")


def _till_bytes(rows: list[dict]) -> bytes:
    """A bakery till's export: one row per unit sold (a store's three buns of a day are three identical rows)."""
    table = [("Store", "Bill Date", "Item Code", "Item", "Qty", "Amount")]
    for r in sorted(rows, key=lambda r: (r["sale_date"], r["store_code"], r["product_code"] or "")):
        unit_value = r["value_paise"] // r["units"] if r["units"] else 0
        line = (r["store_code"], r["sale_date"].strftime("%d/%m/%Y"), r["product_code"], r["item"], 1, unit_value / 100)
        table += [line] * r["units"]
    return delimited(table).encode("utf-8")


def _xlsx_bytes(chain: Chain, rows: list[dict], first: date, last: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sell Out"
    sheet.append([f"{chain.code} weekly sell-out {first:%d-%m-%Y} to {last:%d-%m-%Y}"])
    sheet.append([])
    sheet.append(["Site No", "Barcode No", "Week Commencing", "Sale Units", "Sale Value (Rs)"])
    for r in rows:
        sheet.append(
            [r["store_code"], r["ean"], r["sale_date"].strftime("%d-%m-%Y"), r["units"], r["value_paise"] / 100]
        )
    return workbook_bytes(workbook)


def write_pos(network: Network, inbox: Path) -> PosOutput:
    """One file per chain per complete week; truth is the last figure per key; planted faults listed."""
    config = network.config
    stores = assign_chains(network)
    first_monday = config.start + timedelta(days=(7 - config.start.weekday()) % 7)
    weeks = []
    monday = first_monday
    while monday + timedelta(days=6) <= config.end:
        weeks.append(monday)
        monday += timedelta(days=7)
    latest: dict[tuple, dict] = {}
    files: list[str] = []
    faults: list[dict] = []
    for chain in CHAINS:
        outlets = stores[chain.code]
        for index, week in enumerate(weeks):
            restates = index % RESTATE_EVERY == RESTATE_EVERY - 1 and index >= RESTATE_WEEKS
            covered = weeks[index - RESTATE_WEEKS : index + 1] if restates else [week]
            rows: list[dict] = []
            for number, start in enumerate(covered):
                version = 1 if restates and number < len(covered) - 1 else 0
                rows += _figures(network, chain, outlets, [start + timedelta(days=d) for d in range(7)], version)
            for key in [k for k in latest if _covered(k, covered, chain.code)]:
                del latest[key]  # the last file covering a day wins, rows it no longer carries included
            for row in rows:
                key = (row["chain_code"], row["store_code"], row["ean"], row["product_code"])
                latest[(*key, row["sale_date"], row["date_grain"])] = row
            first, last = covered[0], covered[-1] + timedelta(days=6)
            planted = _plant(chain, index, len(weeks), rows, outlets, network, faults, first, last)
            if chain.till_rows:
                data = _till_bytes(planted)
            elif chain.extension == ".csv":
                data = _csv_bytes(planted)
            else:
                data = _xlsx_bytes(chain, planted, first, last)
            stem = f"{chain.code.lower()}_sellout_{first.isoformat()}_{last.isoformat()}"
            name = f"pos_sales/{chain.code}/{stem}{chain.extension}"
            delivered = datetime.combine(last + timedelta(days=1), time(6, 0))
            write_delivered(inbox / name, data, delivered)
            files.append(name)
    truth = pl.DataFrame(list(latest.values()) or None, infer_schema_length=None)
    truth = truth.sort("chain_code", "store_code", "ean", "product_code", "sale_date", nulls_last=True)
    return PosOutput(files, chain_stores_csv(stores), truth, faults, chain_products_csv(network))


def _in_weeks(day: date, weeks: list[date]) -> bool:
    return any(start <= day <= start + timedelta(days=6) for start in weeks)


def _covered(key: tuple, weeks: list[date], chain: str) -> bool:
    return key[0] == chain and _in_weeks(key[4], weeks)


def _plant(
    chain: Chain,
    index: int,
    n_weeks: int,
    rows: list[dict],
    outlets: list[Outlet],
    network: Network,
    faults: list[dict],
    first: date,
    last: date,
) -> list[dict]:
    """The last week's file of each chain carries one row with a wrong EAN check digit (the bakery's: a product
    code its master does not have) and one row for a store that is not in the chain_stores master: both must be
    quarantined."""
    if index != n_weeks - 1 or not rows:
        return rows
    sample = rows[0]
    if chain.till_rows:  # one till row each: a unit sold
        bad = {
            **sample,
            "product_code": UNKNOWN_PRODUCT,
            "units": 1,
            "value_paise": sample["value_paise"] // sample["units"],
        }
        unmapped = {
            **bad,
            "product_code": sample["product_code"],
            "store_code": f"{chain.store_prefix}{UNMAPPED_STORE}",
        }
        wrong = {"fault": "unknown_product", "chain_code": chain.code, "product_code": UNKNOWN_PRODUCT}
    else:
        bad = {**sample, "ean": _bad_ean(sample["ean"]), "units": 99}
        unmapped = {**sample, "store_code": f"{chain.store_prefix}{UNMAPPED_STORE}", "units": 98}
        wrong = {"fault": "bad_ean", "chain_code": chain.code, "ean": bad["ean"]}
    faults += [
        {**wrong, "store_code": bad["store_code"]},
        {
            "fault": "unmapped_store",
            "chain_code": chain.code,
            "ean": unmapped["ean"],
            "store_code": unmapped["store_code"],
        },
    ]
    return [*rows, bad, unmapped]
