"""Rules of the Indian field data every layer applies the same way, in one place at the bottom of the imports.

- GSTIN: the right shape and check character (python-stdnum); outlet matching, the masters suite.
- India's GPS box: mainland and islands, generous by a fraction of a degree; outlet flags and blocking, the suites.
- Indian mobiles: `mobile_is_valid` (any spacing, after +91, 91 or 0; outlet flags) and `MOBILE_REGEX` (the
  text as written, for the masters suite's Great Expectations regex).
- Phone masking: the country code and the last four digits shown, every other digit `•` (WhatsApp authors and
  text, a master row's phone in quarantine).
- Periods (what a file declares, by title rows, name or layout, else its dates) live in `ingest.core.period`.
"""

from __future__ import annotations

import re

import polars as pl
from stdnum.in_ import gstin as gstin_check

# India's bounding box (mainland and islands), generous by a fraction of a degree
INDIA_LAT = (6.0, 37.6)
INDIA_LON = (68.0, 97.5)

MOBILE = re.compile(r"[6-9]\d{9}")
MOBILE_REGEX = r"^(?:\+91[\s-]?|0)?[6-9]\d{9}$"

MASK = "•"
# A phone number inside text: 8+ digits with '+', or 10+ digits, not part of a word, decimal or URL parameter.
_PHONE_IN_TEXT = re.compile(r"(?<![\w.+/=])\+?\d(?:[ \u00a0\u202f\-()]{0,2}\d){7,}(?![\w])")
_INVISIBLE = str.maketrans(dict.fromkeys("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"))


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


def clean_name(name: str) -> str:
    """Invisible direction marks removed, non-breaking spaces made plain, whitespace collapsed."""
    return " ".join(name.translate(_INVISIBLE).replace("\u00a0", " ").replace("\u202f", " ").split())


def mask_phone(number: str) -> str:
    """Keep a leading `+country` group and the last four digits; every other digit becomes `•`."""
    cleaned = clean_name(number)
    keep_from = sum(c.isdigit() for c in cleaned) - 4
    country = 0
    if cleaned.startswith("+"):
        head = re.match(r"\+(\d{1,3})[\s\-(]", cleaned)
        country = len(head.group(1)) if head else 0
    out: list[str] = []
    seen = 0
    for char in cleaned:
        if char.isdigit():
            out.append(char if seen < country or seen >= keep_from else MASK)
            seen += 1
        else:
            out.append(char)
    return "".join(out)


def mask_phones_in_text(text: str) -> str:
    """Every phone number inside free text masked like `mask_phone` (8+ digits after '+', or 10+ digits)."""
    return _PHONE_IN_TEXT.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    found = match.group(0)
    digits = sum(c.isdigit() for c in found)
    if digits >= 10 or (found.startswith("+") and digits >= 8):
        return mask_phone(found)
    return found
