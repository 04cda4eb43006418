"""Retailer flags on the outlet master: invalid GSTIN, impossible GPS, phone not a valid Indian mobile.

Not here: "no sale for 90 days" needs the sales lines; it belongs in SQL (a dbt model over the current secondary
sales, per master_outlet_id) and is left for later.
"""

from __future__ import annotations

import re

import polars as pl
from stdnum.in_ import gstin as gstin_check

from sellthrough.outlets.normalise import gstin_key

# India's bounding box (mainland and islands), generous by a fraction of a degree
INDIA_LAT = (6.0, 37.6)
INDIA_LON = (68.0, 97.5)
MOBILE = re.compile(r"[6-9]\d{9}")


def gstin_is_valid(gstin: str | None) -> bool:
    """A GSTIN with the right shape and check character (python-stdnum)."""
    return gstin is not None and gstin_check.is_valid(gstin)


def mobile_is_valid(phone: object) -> bool:
    """An Indian mobile: 10 digits starting 6-9, optionally after +91, 91 or 0."""
    if phone is None:
        return False
    digits = re.sub(r"\D", "", str(phone).removesuffix(".0"))
    for prefix in ("91", "0"):
        if len(digits) > 10 and digits.startswith(prefix):
            digits = digits.removeprefix(prefix)
    return MOBILE.fullmatch(digits) is not None


def gps_impossible() -> pl.Expr:
    """Missing, (0, 0), or outside India's bounding box."""
    lat, lon = pl.col("latitude"), pl.col("longitude")
    return (
        lat.is_null()
        | lon.is_null()
        | ((lat == 0) & (lon == 0))
        | ~lat.is_between(*INDIA_LAT)
        | ~lon.is_between(*INDIA_LON)
    ).fill_null(True)


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
