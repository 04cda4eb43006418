"""File faults: which distributor files are duplicated, re-sent, late, or carry malformed and unknown-item rows,
and the rows themselves.

Planted rows are extra lines on existing bills; they never moved stock (the simulation did not make them), so
the loaded lines alone reconcile with the true stock. Files chosen for a re-send carry no row that would be
quarantined, so every quarantined row is quarantined exactly once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date

from generator.layouts import BAD_DATES, Row
from generator.masters import Network, normal_key
from generator.reference import UNKNOWN_ITEMS

BAD_QUANTITIES = ("1O", "abc", "I2", "5O")
Key = tuple[str, date]  # (distributor_code, period start)


@dataclass(frozen=True)
class Slot:
    """A distributor sales file before it is written."""

    distributor_code: str
    layout: str
    cadence: str
    start: date
    end: date


@dataclass
class FaultPlan:
    resent: Key | None = None
    late: dict[Key, int] = field(default_factory=dict)  # days after the normal delivery
    duplicates: list[Key] = field(default_factory=list)
    malformed: list[Key] = field(default_factory=list)
    unknown: list[Key] = field(default_factory=list)


@dataclass(frozen=True)
class PlantedRow:
    row: Row
    after_invoice: str  # placed after the last line of this bill
    sku_code: str | None  # the brand SKU really meant (None for an item the brand does not make)
    fault: str  # malformed_row | unknown_sku
    problem: str  # bad_quantity | bad_date | missing_item | unknown_item
    value: str  # what the file shows
    reason_code: str  # what ingest should quarantine it as


def plan_file_faults(rng: random.Random, slots: list[Slot], days: int, start: date) -> FaultPlan:
    plan = FaultPlan()
    early = [s for s in slots if (s.start - start).days < days * 0.6]
    weekly = [s for s in early if s.cadence == "weekly" and (s.end - s.start).days == 6]

    def key(slot: Slot) -> Key:
        return (slot.distributor_code, slot.start)

    taken: set[Key] = set()
    resendable = [s for s in weekly if s.layout != "busy_csv"]
    if resendable:
        chosen = rng.choice(resendable)
        plan.resent = key(chosen)
        taken.add(key(chosen))
    late_pool = [s for s in weekly if key(s) not in taken and s.distributor_code != (plan.resent or ("",))[0]]
    if late_pool:
        chosen = rng.choice(late_pool[: max(1, len(late_pool) // 2)])
        plan.late[key(chosen)] = rng.randint(21, 35)
        taken.add(key(chosen))
    rest = [s for s in slots if key(s) not in taken]
    by_layout: dict[str, list[Slot]] = {}
    for slot in rest:
        by_layout.setdefault(slot.layout, []).append(slot)
    layouts = sorted(by_layout)
    rng.shuffle(layouts)
    for layout in layouts[:3]:
        plan.malformed.append(key(rng.choice(by_layout[layout])))
    for layout in layouts[3:5] or layouts[:2]:
        plan.unknown.append(key(rng.choice(by_layout[layout])))
    copyable = [s for s in rest if key(s) not in plan.malformed and s.cadence == "weekly"] or rest
    rng.shuffle(copyable)
    for slot in copyable:  # two files of two different distributors
        if len(plan.duplicates) < 2 and slot.distributor_code not in {code for code, _ in plan.duplicates}:
            plan.duplicates.append(key(slot))
    return plan


def _sale_bills(rows: list[Row]) -> list[list[Row]]:
    bills: dict[str, list[Row]] = {}
    for row in rows:
        if row.line_type == "sale" and not row.cancelled:
            bills.setdefault(row.invoice_number, []).append(row)
    return list(bills.values())


def _extra_line(rng: random.Random, network: Network, distributor_code: str, bill: list[Row]) -> tuple[Row, str]:
    present = {r.item_code for r in bill} | {r.item for r in bill}
    labels = network.labels[distributor_code]
    choices = [s for s in network.skus if labels[s.code].code not in present and labels[s.code].single not in present]
    sku = rng.choice(choices or network.skus)
    quantity = rng.choice((6, 12, 18, 24, 36))
    label = labels[sku.code]
    row = replace(
        bill[0],
        item_code=label.code,
        item_name=label.name,
        item=label.single,
        quantity=quantity,
        free=0,
        units_per_case=sku.units_per_case,
        rate_paise=sku.ptr_paise,
        gross_paise=quantity * sku.ptr_paise,
        discount_paise=0,
        bad={},
    )
    return row, sku.code


def malformed_rows(
    rng: random.Random, network: Network, distributor_code: str, layout: str, rows: list[Row]
) -> list[PlantedRow]:
    """Three lines a person typed badly: a quantity that is not a number, an impossible date, no item."""
    bills = _sale_bills(rows)
    picked = rng.sample(bills, min(3, len(bills)))
    out: list[PlantedRow] = []
    for i, problem in enumerate(("bad_quantity", "bad_date", "missing_item")):
        bill = picked[i % len(picked)]
        row, sku_code = _extra_line(rng, network, distributor_code, bill)
        if problem == "bad_quantity":
            value = rng.choice(BAD_QUANTITIES)
            row.bad = {"quantity": value}
            reason = "bad_quantity"
        elif problem == "bad_date":
            value = BAD_DATES[layout]
            row.bad = {"date": value}
            reason = "bad_date"
        else:
            value = ""
            row.item_code = row.item_name = row.item = None
            reason = "missing_value"
        out.append(PlantedRow(row, bill[-1].invoice_number, sku_code, "malformed_row", problem, value, reason))
    return out


def unknown_rows(rng: random.Random, network: Network, distributor_code: str, rows: list[Row]) -> list[PlantedRow]:
    """Two lines naming an item no master and no alias knows (a new pack, another company's product)."""
    known = {normal_key(v) for s in network.skus for v in (s.code, s.name, s.ean)}
    known |= {normal_key(alias) for code, alias, _ in network.aliases if code == distributor_code}
    names = [n for n in UNKNOWN_ITEMS if normal_key(n) not in known]
    bills = _sale_bills(rows)
    out: list[PlantedRow] = []
    for name, bill in zip(rng.sample(names, 2), rng.sample(bills, min(2, len(bills))), strict=False):
        row, _ = _extra_line(rng, network, distributor_code, bill)
        row.item_code, row.item_name, row.item = None, name, name
        row.rate_paise = rng.randrange(800, 6000)
        row.gross_paise = row.quantity * row.rate_paise
        out.append(PlantedRow(row, bill[-1].invoice_number, None, "unknown_sku", "unknown_item", name, "unknown_sku"))
    return out


def wrong_quantities(rng: random.Random, rows: list[Row]) -> list[tuple[int, int]]:
    """(row index, quantity first sent) for a few lines of a file that is later re-sent corrected."""
    candidates = [i for i, r in enumerate(rows) if r.line_type == "sale" and not r.cancelled]
    out = []
    for i in sorted(rng.sample(candidates, min(3, len(candidates)))):
        right = rows[i].quantity
        out.append((i, right * 10 if right < 50 else right + rows[i].units_per_case))
    return out


TRUNCATED_SHARE = 0.3  # a cut-off export carries about this share of the period's bills
TRUNCATED_MIN_LINES = 20  # on a file this small a cut is not a volume signal


def plan_truncations(
    rng: random.Random, slots: list[Slot], plan: FaultPlan, lines: dict[Key, int], days: int, start: date
) -> list[Key]:
    """One file per cadence (daily, weekly) whose export was cut off and is re-sent complete a few hours later:
    the planted volume problem. Chosen mid-network (enough like files before it to judge it), never a file with
    another fault, nor one of a layout with cancelled bills (its first send would quarantine rows twice)."""
    taken = {plan.resent, *plan.late, *plan.duplicates, *plan.malformed, *plan.unknown}
    chosen: list[Key] = []
    for cadence in ("daily", "weekly"):
        pool = [
            (s.distributor_code, s.start)
            for s in slots
            if s.cadence == cadence
            and s.layout != "busy_csv"
            and days * 0.45 <= (s.start - start).days <= days * 0.8
            and (s.distributor_code, s.start) not in taken
            and lines[(s.distributor_code, s.start)] >= TRUNCATED_MIN_LINES
        ]
        if pool:
            chosen.append(rng.choice(sorted(pool)))
    return chosen


def truncated_rows(rows: list[Row]) -> list[Row]:
    """The first bills of the file (about TRUNCATED_SHARE of them, at least one), as a cut-off export has them."""
    bills = list(dict.fromkeys(r.invoice_number for r in rows))
    kept = set(bills[: max(1, round(len(bills) * TRUNCATED_SHARE))])
    return [r for r in rows if r.invoice_number in kept]
