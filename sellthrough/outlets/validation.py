"""Retailer flags on the outlet master: invalid GSTIN, impossible GPS, phone not a valid Indian mobile (the rules:
`ingest/core/rules.py`).

Not here: "no sale for 90 days" needs the sales lines; it belongs in SQL (a dbt model over the current secondary
sales, per master_outlet_id) and is left for later.
"""

from __future__ import annotations

import polars as pl

from ingest.core.rules import gps_impossible, gstin_is_valid, mobile_is_valid
from sellthrough.outlets.normalise import gstin_key


def flag_outlets(outlets: pl.DataFrame) -> pl.DataFrame:
    """One row per outlet: outlet_code, gstin_invalid (a GSTIN is given but fails the check; a missing GSTIN is
    not flagged, most small shops have none), gps_impossible, phone_invalid (missing or not a mobile), and
    any_flag."""
    gstin = pl.col("gstin").cast(pl.String).map_elements(gstin_key, return_dtype=pl.String)
    gstin_ok = gstin.map_elements(gstin_is_valid, return_dtype=pl.Boolean).fill_null(False)
    mobile_ok = pl.col("phone").cast(pl.String).map_elements(mobile_is_valid, return_dtype=pl.Boolean).fill_null(False)
    flags = outlets.select(
        pl.col("outlet_code").cast(pl.String).alias("outlet_code"),
        (gstin.is_not_null() & ~gstin_ok).alias("gstin_invalid"),
        gps_impossible().alias("gps_impossible"),
        (~mobile_ok).alias("phone_invalid"),
    )
    any_flag = pl.any_horizontal([pl.col("gstin_invalid"), pl.col("gps_impossible"), pl.col("phone_invalid")])
    return flags.with_columns(any_flag.alias("any_flag"))
