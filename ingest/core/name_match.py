"""Suggestions for a name no alias or master name matches: which SKUs (or outlets) a person should look at first.

A name as written ("Jeeera Soda 250ml", "gluc biscuit 250 gm", "ALOO BHUJJIA 1 KG") is split into its pack size
(a number and a unit, normalised: gm / gms / grams -> g, ltr -> l, 1 kg = 1000 g, 1 l = 1000 ml) and its words.
Each SKU is scored on
- words: every word of the name against the SKU's closest word (exact; an abbreviation, a prefix of 3 letters or
  more: "gluc" for "glucose"; else rapidfuzz's normalised Indel similarity, so a typo costs a little, a different
  word everything), weighted by length; mostly how much of the name the SKU explains, partly how much of the SKU
  the name mentions (a brand word left out costs little);
- pack: the same pack size (or none on either side) scores full, a different one nothing, a size on one side
  only is neutral,
so "Aloo Bhujia 35 g" prefers the 35 g pack over the 150 g one, which plain WRatio scored alike (85.5 each).
The SKU is compared under its master name and under every alias the distributor is known by (the brand's alias
table and the names reviewers confirmed), and scores its best form. Scores run 0-100.

Outlets (names written in chats) are scored on their words alone, with the chat's filler words ("ka order",
"ke liye", "for") left out of the name: `outlet_suggestions`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

UNITS = {
    **dict.fromkeys(("g", "gm", "gms", "gram", "grams", "gr", "grm", "grms"), ("g", 1.0)),
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos"), ("g", 1000.0)),
    **dict.fromkeys(("ml", "mls"), ("ml", 1.0)),
    **dict.fromkeys(("l", "lt", "ltr", "ltrs", "litre", "litres", "liter", "liters"), ("ml", 1000.0)),
}
PACK = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")(?![a-z])")
WORD = re.compile(r"[0-9a-z\u0900-\u097f]+")
MIN_WORD_SIMILARITY = 0.6  # below this two words are different words, not a typo of one another
ABBREVIATION = 0.9  # "gluc" for "glucose"
NAME_WEIGHT, PACK_WEIGHT = 0.75, 0.25
MIN_SUGGESTION = 30.0  # below this a "suggestion" shares a stray word or a pack size with the name: none
EXPLAINED_WEIGHT = 0.8  # of the words score: how much of the name the SKU explains (the rest: how much it mentions)

Pack = tuple[str, float]  # (base unit g | ml, amount in it)


@dataclass(frozen=True)
class ParsedName:
    words: tuple[str, ...]
    pack: Pack | None


@lru_cache(maxsize=65536)
def parse_name(text: str) -> ParsedName:
    """The name's pack size (the first number with a unit) and its other words, lower-cased."""
    lowered = " ".join(text.lower().replace("_", " ").split())
    pack: Pack | None = None
    found = PACK.search(lowered)
    if found:
        unit, factor = UNITS[found.group(2)]
        pack = (unit, round(float(found.group(1)) * factor, 3))
        lowered = lowered[: found.start()] + " " + lowered[found.end() :]
    return ParsedName(tuple(WORD.findall(lowered)), pack)


@lru_cache(maxsize=262144)
def word_similarity(word: str, other: str) -> float:
    if word == other:
        return 1.0
    if len(word) >= 3 and other.startswith(word):
        return ABBREVIATION
    similarity = Indel.normalized_similarity(word, other)
    return similarity if similarity >= MIN_WORD_SIMILARITY else 0.0


def _explained(words: tuple[str, ...], by: tuple[str, ...]) -> float:
    """Length-weighted share of `words` that `by` has (exactly, abbreviated or with a typo)."""
    if not words:
        return 0.0
    if not by:
        return 0.0
    total = sum(len(w) for w in words)
    return sum(len(w) * max(word_similarity(w, b) for b in by) for w in words) / total


def score(name: ParsedName, candidate: ParsedName) -> float:
    """0-100: how likely `name` means `candidate` (see the module's docstring)."""
    explained = _explained(name.words, candidate.words)
    mentioned = _explained(candidate.words, name.words)
    words = EXPLAINED_WEIGHT * explained + (1 - EXPLAINED_WEIGHT) * mentioned
    pack = 1.0 if name.pack == candidate.pack else 0.0  # the same size (or neither has one), or a different one
    if (name.pack is None) != (candidate.pack is None):
        pack = 0.5  # a size on one side only: neither for nor against
    return 100 * (NAME_WEIGHT * words + PACK_WEIGHT * pack)


@dataclass(frozen=True)
class SkuMatcher:
    """The SKU master's names, and each distributor's aliases, parsed once."""

    names: dict[str, str]  # sku_code -> sku_name
    forms: dict[str, tuple[ParsedName, ...]]  # sku_code -> master name (and code) parsed
    alias_forms: dict[str, dict[str, tuple[ParsedName, ...]]]  # distributor -> sku_code -> its aliases parsed

    @classmethod
    def build(cls, skus: Iterable[tuple[str, str]], aliases: Iterable[tuple[str, str, str]] = ()) -> SkuMatcher:
        """`skus`: (sku_code, sku_name); `aliases`: (distributor_code, alias, sku_code)."""
        names = {code: name for code, name in skus if code}
        forms = {code: (parse_name(name or ""),) for code, name in names.items()}
        by_distributor: dict[str, dict[str, list[ParsedName]]] = {}
        for distributor, alias, code in aliases:
            if distributor and alias and code in names:
                by_distributor.setdefault(distributor, {}).setdefault(code, []).append(parse_name(alias))
        alias_forms = {d: {c: tuple(f) for c, f in codes.items()} for d, codes in by_distributor.items()}
        return cls(names, forms, alias_forms)

    def suggest(self, text: str | None, limit: int = 3, distributor_code: str | None = None) -> list[tuple[str, float]]:
        """(sku_code, score) of the `limit` closest SKUs, best first (ties by code); a SKU scoring under
        MIN_SUGGESTION is no suggestion (a name the brand does not make may get none)."""
        if not text or not self.names:
            return []
        name = parse_name(text)
        if not name.words and name.pack is None:
            return []
        aliases = self.alias_forms.get(distributor_code or "", {})
        scored = [
            (code, max(score(name, form) for form in (*forms, *aliases.get(code, ()))))
            for code, forms in self.forms.items()
        ]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        return [(code, round(value, 1)) for code, value in scored[:limit] if value >= MIN_SUGGESTION]


FILLER_WORDS = frozenset(("ka", "ki", "ke", "ko", "liye", "order", "for", "pls", "please", "bhaiya", "ji", "from"))


def outlet_suggestions(text: str | None, outlets: dict[str, str], limit: int = 3) -> list[tuple[str, float]]:
    """(outlet_code, score 0-100) of the outlets (code -> name) whose names best explain `text`, best first."""
    if not text or not outlets:
        return []
    words = tuple(w for w in parse_name(text).words if w not in FILLER_WORDS) or parse_name(text).words
    scored = []
    for code, outlet_name in outlets.items():
        other = parse_name(outlet_name or "").words
        explained = _explained(words, other)
        mentioned = _explained(other, words)
        scored.append((code, 100 * (EXPLAINED_WEIGHT * explained + (1 - EXPLAINED_WEIGHT) * mentioned)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return [(code, round(value, 1)) for code, value in scored[:limit] if value >= MIN_SUGGESTION]
