"""Expectations on the brand's master snapshots (`raw/masters_*`).

Duplicate keys reject the snapshot (the previous one stays current). Identity attributes (GSTIN, phone,
EAN, GPS, pincode where the column exists) are warnings, not quarantines: an outlet with a mistyped GSTIN is
still an outlet its sales map to, and a SKU with a bad barcode still sells; the outlet master asset flags such
outlets for follow-up.
"""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common

KEYS = {
    "masters_skus": ["sku_code"],
    "masters_distributors": ["distributor_code"],
    "masters_outlets": ["outlet_code"],
    "masters_reps": ["rep_code"],
    "masters_beats": ["beat_code"],
    "masters_schemes": ["scheme_code"],
    "masters_sku_aliases": ["distributor_code", "alias"],
    "masters_chat_senders": ["distributor_code", "sender_key"],
}


def checks(ctx: SuiteContext) -> list[Check]:
    found = [common.unique_key(KEYS[ctx.table])] if ctx.table in KEYS else []
    return found + _per_table(ctx.table)


def _per_table(table: str) -> list[Check]:
    if table == "masters_skus":
        return [
            common.ean13_valid("ean"),
            common.between("units_per_case", 1, 10_000, severity="warning", what="units per case"),
            common.between("mrp", 0.01, 1_000_000, severity="warning", what="MRP"),
        ]
    if table == "masters_outlets":
        return [common.gstin_valid("gstin"), common.indian_phone("phone"), *common.gps_in_india(), common.pincode()]
    if table == "masters_reps":
        return [common.indian_phone("phone")]
    if table == "masters_distributors":
        return [
            common.in_set("tier", ["super_stockist", "distributor", "sub_distributor"], severity="warning"),
            common.pincode(),
        ]
    return []


SUITE = Suite("masters", checks)
