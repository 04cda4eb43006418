"""Normalised keys for outlet matching: names without honorifics and shop words, phones, GSTINs.

Two name forms are kept:

* `name_key`: lower case, honorifics ("M/s", "Shri", ...), shop words ("Kirana", "Stores", "Traders", "& Sons",
  ...) and punctuation removed: "M/s Sharma Kirana" and "Sharma Kirana Store" both become "sharma".
* `name_plain`: lower case, honorifics, legal suffixes ("& Sons", "& Co."), a locality in brackets and
  punctuation removed but shop words kept ("sharma kirana store"), so that "Sharma Traders" and "Sharma Kirana
  Store" (same key "sharma") can still be told apart.
"""

from __future__ import annotations

import re

import polars as pl

# "M/s", "M/S.", "M s", "Messrs": written before a firm's name; removed from the raw text before punctuation goes
_MESSRS = re.compile(r"\bm\s*/\s*s\b\.?|\bmessrs\b\.?|\bm\.\s*s\.")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
HONORIFICS = frozenset({"shri", "sri", "shree", "smt", "ms", "mr", "mrs", "the"})
# phrases first (after "&" became "and"), then single shop words
SHOP_PHRASES = (
    "general stores",
    "general store",
    "gen stores",
    "gen store",
    "and sons",
    "and son",
    "and bros",
    "and brothers",
    "and co",
    "and company",
)
SHOP_WORDS = frozenset(
    {
        "store",
        "stores",
        "kirana",
        "general",
        "traders",
        "trader",
        "trading",
        "enterprises",
        "enterprise",
        "sons",
        "bros",
        "brothers",
        "agency",
        "agencies",
        "mart",
        "shop",
        "dukan",
        "provision",
        "provisions",
        "departmental",
        "co",
        "and",
        "pvt",
        "ltd",
    }
)
# legal and family suffixes: dropped from both name forms
LEGAL_PHRASES = ("and sons", "and son", "and bros", "and brothers", "and co", "and company", "private limited")
LEGAL_WORDS = frozenset({"bros", "brothers", "pvt", "ltd", "llp"})
_BRACKETS = re.compile(r"\([^)]*\)")
PHONE_DIGITS = 10


def _words(name: str) -> str:
    text = _MESSRS.sub(" ", name.lower()).replace("&", " and ")
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def _drop_phrases(text: str, phrases: tuple[str, ...]) -> str:
    padded = f" {text} "
    for phrase in phrases:
        padded = padded.replace(f" {phrase} ", " ")
    return " ".join(padded.split())


def plain_name(name: str | None) -> str:
    """Lower case, no honorifics, legal suffixes ("& Sons", "& Co."), locality in brackets or punctuation;
    single spaces; shop words kept."""
    if not name:
        return ""
    words = _words(_BRACKETS.sub(" ", name)) or _words(name)
    kept = _drop_phrases(" ".join(w for w in words.split() if w not in HONORIFICS), LEGAL_PHRASES)
    return " ".join(w for w in kept.split() if w not in LEGAL_WORDS) or kept


def name_key(name: str | None) -> str:
    """`plain_name` without shop words; falls back to `plain_name` when nothing would be left."""
    plain = " ".join(w for w in _words(name).split() if w not in HONORIFICS)
    key = " ".join(w for w in _drop_phrases(plain, SHOP_PHRASES).split() if w not in SHOP_WORDS)
    return key or plain


def phone_key(phone: object) -> str | None:
    """The last 10 digits of a phone number; None when it has fewer digits or is one digit repeated."""
    if phone is None:
        return None
    digits = re.sub(r"\D", "", str(phone).removesuffix(".0"))
    if len(digits) < PHONE_DIGITS:
        return None
    last = digits[-PHONE_DIGITS:]
    return None if len(set(last)) == 1 else last


def gstin_key(gstin: object) -> str | None:
    """Upper case, spaces and punctuation removed; None when empty."""
    if gstin is None:
        return None
    text = re.sub(r"[^0-9A-Z]", "", str(gstin).upper())
    return text or None


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.strip_chars()


def normalise_outlets(outlets: pl.DataFrame) -> pl.DataFrame:
    """The master with typed columns and the keys the matcher uses: name_key, name_plain, phone_key, gstin_key.

    Needs outlet_code and outlet_name; the other masters_outlets columns are optional (null when absent).
    """
    frame = outlets
    for column in ("distributor_code", "beat_code", "town", "gstin", "phone", "party_code"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    for column in ("latitude", "longitude"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    return frame.with_columns(
        _text("outlet_code").alias("outlet_code"),
        _text("outlet_name").alias("outlet_name"),
        _text("distributor_code").alias("distributor_code"),
        _text("beat_code").alias("beat_code"),
        _text("town").alias("town"),
        pl.col("latitude").cast(pl.Float64, strict=False).alias("latitude"),
        pl.col("longitude").cast(pl.Float64, strict=False).alias("longitude"),
        _text("outlet_name").map_elements(name_key, return_dtype=pl.String).alias("name_key"),
        _text("outlet_name").map_elements(plain_name, return_dtype=pl.String).alias("name_plain"),
        _text("phone").map_elements(phone_key, return_dtype=pl.String).alias("phone_key"),
        _text("gstin").map_elements(gstin_key, return_dtype=pl.String).alias("gstin_key"),
    )
