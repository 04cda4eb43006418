"""Contracts of the brand's master tables: `raw/masters_<entity>`, one full snapshot per load."""

from __future__ import annotations

import polars as pl

from ingest.core.contract import Contract

S, INT, F, D = pl.String(), pl.Int64(), pl.Float64(), pl.Date()

MASTERS: dict[str, Contract] = {
    c.table.removeprefix("masters_"): c
    for c in (
        Contract(
            "masters_skus",
            {
                "sku_code": S,
                "sku_name": S,
                "brand": S,
                "category": S,
                "pack_size": S,
                "units_per_case": INT,
                "mrp": F,
                "ean": S,
            },
            not_null=("sku_code", "sku_name", "units_per_case"),
        ),
        Contract(
            "masters_distributors",
            {
                "distributor_code": S,
                "distributor_name": S,
                "tier": S,
                "parent_distributor_code": S,
                "zone": S,
                "region": S,
                "state": S,
                "town": S,
                "sales_file_cadence": S,
            },
            not_null=("distributor_code", "distributor_name", "tier"),
        ),
        Contract(
            "masters_outlets",
            {
                "outlet_code": S,
                "outlet_name": S,
                "distributor_code": S,
                "party_code": S,
                "channel": S,
                "outlet_class": S,
                "beat_code": S,
                "town": S,
                "state": S,
                "latitude": F,
                "longitude": F,
                "gstin": S,
                "phone": S,
            },
            not_null=("outlet_code", "outlet_name", "distributor_code"),
        ),
        Contract(
            "masters_reps",
            {"rep_code": S, "rep_name": S, "distributor_code": S, "phone": S},
            not_null=("rep_code", "rep_name"),
        ),
        Contract(
            "masters_beats",
            {
                "beat_code": S,
                "beat_name": S,
                "distributor_code": S,
                "rep_code": S,
                "town": S,
                "visit_weekday": INT,
            },
            not_null=("beat_code", "distributor_code"),
        ),
        Contract(
            "masters_schemes",
            {
                "scheme_code": S,
                "scheme_name": S,
                "scheme_type": S,
                "sku_codes": S,
                "start_date": D,
                "end_date": D,
                "min_units": INT,
                "discount_pct": F,
                "free_units": INT,
                # the distributors that run the scheme (`;`-separated); empty: every distributor
                "distributor_codes": S,
            },
            not_null=("scheme_code", "scheme_type", "start_date", "end_date"),
        ),
        Contract(
            # named sets of SKUs (focus SKUs, new launches, ...): targets and incentive plans refer to them by name
            "masters_sku_groups",
            {"sku_group": S, "sku_code": S},
            not_null=("sku_group", "sku_code"),
        ),
        Contract(
            # sales targets for a month: a rep's, a beat's or (neither named) a distributor's, in units or value,
            # for all products, a brand or an SKU group; a file replaces the targets of the months it carries
            "masters_targets",
            {
                "month_start": D,
                "distributor_code": S,
                "beat_code": S,
                "rep_code": S,
                "brand": S,
                "sku_group": S,
                "measure": S,
                "target": F,
            },
            not_null=("month_start", "distributor_code", "measure", "target"),
        ),
        Contract(
            # who writes in the distributors' WhatsApp groups: the file's `sender` column (a phone number or a saved
            # contact name) is replaced at read time by its keyed hash and a masked display (ingest/whatsapp/authors)
            "masters_chat_senders",
            {"distributor_code": S, "sender_key": S, "sender_display": S, "rep_code": S, "outlet_code": S},
            not_null=("distributor_code", "sender_key"),
        ),
        Contract(
            "masters_chain_stores",
            {"chain_code": S, "store_code": S, "outlet_code": S},
            not_null=("chain_code", "store_code", "outlet_code"),
        ),
        Contract(
            # a chain's own product codes (POS files without EANs): chain_code, the code as its files carry it, SKU
            "masters_chain_products",
            {"chain_code": S, "product_code": S, "sku_code": S},
            not_null=("chain_code", "product_code", "sku_code"),
        ),
        Contract(
            "masters_sku_aliases",
            {"distributor_code": S, "alias": S, "sku_code": S},
            not_null=("distributor_code", "alias", "sku_code"),
        ),
        Contract(
            # optional: what one unit a distributor bills in is, in the SKU's pieces (`Pair` -> 2, `Bag` -> 50),
            # for units the built-in names and the pack size cannot convert (ingest/core/units.py)
            "masters_sku_units",
            {"sku_code": S, "unit": S, "pieces_per_unit": F},
            not_null=("sku_code", "unit", "pieces_per_unit"),
        ),
    )
}

# What a master file holds where it differs from the stored table: chat_senders.csv has a `sender` (a phone number
# or a saved contact name) that the reader replaces with `sender_key` and `sender_display`.
FILE_COLUMNS: dict[str, tuple[str, ...]] = {
    "chat_senders": ("distributor_code", "sender", "rep_code", "outlet_code"),
}


def file_columns(entity: str) -> tuple[str, ...]:
    """The columns a master file of `entity` carries, in order."""
    return FILE_COLUMNS.get(entity, tuple(MASTERS[entity].schema))
