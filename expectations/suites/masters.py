"""Expectations on the brand's master snapshots (`raw/masters_*`).

Duplicate keys reject the snapshot (the previous one stays current). A structurally invalid identity quarantines
its whole row, with the reason: a SKU whose EAN fails its check digit, an outlet whose GSTIN is malformed (shape or
check character) or whose GPS lies outside India. Such a row cannot be trusted to key anything (a barcode that
maps no scan, a registration that is not one, a shop in the sea). A phone that is not an Indian mobile and a
malformed pincode stay warnings: contact details, the outlet master asset flags them for follow-up.
A target row that says two things at once (a rep's and a beat's, a brand's and an SKU group's), names no month or
measure Sellthrough knows, or targets nothing is quarantined (expectations/suites/master_targets.py).
Hierarchy checks (a beat of another distributor, an unknown parent) are in ingest/masters/hierarchy.py.
"""

from __future__ import annotations

from expectations.model import Check, Suite, SuiteContext
from expectations.suites import common
from expectations.suites.master_targets import target_checks

KEYS = {
    "masters_skus": ["sku_code"],
    "masters_distributors": ["distributor_code"],
    "masters_outlets": ["outlet_code"],
    "masters_reps": ["rep_code"],
    "masters_beats": ["beat_code"],
    "masters_schemes": ["scheme_code"],
    "masters_sku_aliases": ["distributor_code", "alias"],
    "masters_chat_senders": ["distributor_code", "sender_key"],
    "masters_chain_stores": ["chain_code", "store_code"],
    "masters_sku_groups": ["sku_group", "sku_code"],
    "masters_targets": ["month_start", "distributor_code", "rep_code", "beat_code", "brand", "sku_group", "measure"],
    "masters_chain_products": ["chain_code", "product_code"],
    "masters_sku_units": ["sku_code", "unit"],
}


def checks(ctx: SuiteContext) -> list[Check]:
    found = [common.unique_key(KEYS[ctx.table])] if ctx.table in KEYS else []
    return found + _per_table(ctx.table)


def _per_table(table: str) -> list[Check]:
    if table == "masters_skus":
        return [
            common.ean13_valid("ean", severity="row"),
            common.between("units_per_case", 1, 10_000, severity="warning", what="units per case"),
            common.between("mrp", 0.01, 1_000_000, severity="warning", what="MRP"),
        ]
    if table == "masters_outlets":
        return [
            common.gstin_valid("gstin", severity="row"),
            *common.gps_in_india(severity="row"),
            common.indian_phone("phone"),
            common.pincode(),
        ]
    if table == "masters_sku_units":
        return [common.between("pieces_per_unit", 1e-9, None, reason_code="bad_value", what="pieces per unit")]
    if table == "masters_reps":
        return [common.indian_phone("phone")]
    if table == "masters_distributors":
        return [
            common.in_set("tier", ["super_stockist", "distributor", "sub_distributor"], severity="warning"),
            common.pincode(),
        ]
    if table == "masters_targets":
        return target_checks()
    return []


SUITE = Suite("masters", checks)
