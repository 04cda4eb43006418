"""One distributor's masters as its chats need them: SKUs (master names and the distributor's aliases), outlets,
and who may order (the chat-senders master), with exact and fuzzy lookups.

A SKU matches an item as written when its key is an alias, a master name or code (exact; not a stop word and 3+
characters, or a code of letters and digits such as "C-2"), or, with rapidfuzz, when EVERY word of the item that
can name an item (3+ letters, not a stop word: `order_text.content_tokens`) is a word of the SKU's names (equal, a
4+ letter prefix, "biscuits" for "biscuit", or a typo: ratio >= 80), and at least one of them is distinctive (not
a brand or kind most products share). So "So 23" (a 2-letter word), "2 cases of flu", "kids ate 2 packets of jeera
soda" (a word no SKU has) match nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import fuzz, process

from ingest.core.masters import MasterData
from ingest.core.rules import clean_name
from ingest.whatsapp.authors import author_key, is_phone
from ingest.whatsapp.order_text import STOP_WORDS, content_tokens, split_pack, words

_GENERIC = ("store", "stores", "general", "traders", "provision", "provisions", "departmental", "enterprises")
GENERIC_OUTLET_WORDS = frozenset(
    (*_GENERIC, "super", "bazaar", "bazar", "mini", "mart", "co", "m", "s", "shri", "sons", "the", "and", "bakery")
)
TYPO_RATIO = 80


def normal_key(text: str) -> str:
    return re.sub(r"[^0-9a-z\u0900-\u097f]", "", clean_name(text).lower())


def _distinctive(name: str) -> str:
    """A name without the words every shop has ("General Stores"), unless nothing else is left."""
    kept = [w for w in name.split() if w not in GENERIC_OUTLET_WORDS]
    return " ".join(kept) if kept else name


def token_matches(token: str, word: str) -> bool:
    """An item's word against a word of a SKU name: equal, a prefix ("gluc"), a plural, or a typo."""
    if token == word:
        return True
    if len(token) >= 4 and word.startswith(token):
        return True
    if len(word) >= 4 and token.startswith(word) and len(token) - len(word) <= 2:
        return True
    return len(token) >= 4 and len(word) >= 5 and fuzz.ratio(token, word) >= TYPO_RATIO


@dataclass
class _Sku:
    code: str
    pack: str | None
    units_per_case: int | None
    names: list[str] = field(default_factory=list)  # product names without the pack, as words
    vocabulary: set[str] = field(default_factory=set)  # the words of those names (3+ letters)


class Catalogue:
    """One distributor's SKUs (master names and its aliases), outlets and chat senders."""

    def __init__(self, masters: MasterData, distributor_code: str, fuzzy: bool = True) -> None:
        self.fuzzy = fuzzy
        self.skus: dict[str, _Sku] = {}
        self.keys: dict[str, str] = {}
        for row in masters.skus.iter_rows(named=True):
            name, pack = split_pack(row["sku_name"] or "")
            self.skus[row["sku_code"]] = _Sku(row["sku_code"], pack, row["units_per_case"], [words(name)])
            for value in (row["sku_code"], row["sku_name"], row["ean"]):
                if value:
                    self.keys.setdefault(normal_key(value), row["sku_code"])
        aliases = masters.aliases.filter(pl.col("distributor_code") == distributor_code)
        for alias, code in aliases.select("alias", "sku_code").iter_rows():
            if code in self.skus and alias:
                self.keys[normal_key(alias)] = code
                alias_words = words(split_pack(alias)[0])
                if re.search(r"[a-z]{3}", alias_words) and " " in alias_words:
                    self.skus[code].names.append(alias_words)
        for sku in self.skus.values():
            sku.vocabulary = {w for name in sku.names for w in name.split() if len(w) >= 3}
        self.generic = self._generic_words()
        self._outlets(masters, distributor_code)
        senders = masters.chat_senders.filter(pl.col("distributor_code") == distributor_code)
        self.sender_outlets: dict[str, str | None] = dict(senders.select("sender_key", "outlet_code").iter_rows())
        self._sku_cache: dict[str, tuple[str | None, float]] = {}
        self._outlet_cache: dict[str, tuple[str | None, float]] = {}

    def _generic_words(self) -> frozenset[str]:
        """Words in the names of more than a quarter of the products (a brand, "biscuit"): they name no item."""
        products = {sku.names[0] for sku in self.skus.values()}
        counts: dict[str, int] = {}
        for product in products:
            for word in set(product.split()):
                counts[word] = counts.get(word, 0) + 1
        limit = max(1, len(products) // 4)
        return frozenset(word for word, count in counts.items() if count > limit)

    def _outlets(self, masters: MasterData, distributor_code: str) -> None:
        outlets = masters.outlets.filter(pl.col("distributor_code") == distributor_code).sort("outlet_code")
        self.outlet_codes: list[str] = outlets["outlet_code"].to_list()
        self.outlet_names: list[str] = [words(n or "") for n in outlets["outlet_name"].to_list()]
        self.outlet_matchable = [_distinctive(n) for n in self.outlet_names]
        self.outlet_keys: dict[str, str] = {}
        for code, name in zip(self.outlet_codes, outlets["outlet_name"].to_list(), strict=True):
            self.outlet_keys.setdefault(normal_key(name or ""), code)
        confirmed = masters.outlet_aliases.filter(pl.col("distributor_code") == distributor_code)
        for alias, code in confirmed.select("alias", "outlet_code").iter_rows():
            if alias and code in self.outlet_codes:
                self.outlet_keys[normal_key(alias)] = code  # a reviewer's decision: exact from now on
        self.phones: dict[str, str] = {}
        for code, phone in zip(self.outlet_codes, outlets["phone"].to_list(), strict=True):
            digits = re.sub(r"\D", "", phone or "")
            if len(digits) >= 10:
                self.phones.setdefault(digits[-10:], code)  # lowest code first: a re-registered shop shares it

    @property
    def has_skus(self) -> bool:
        return bool(self.skus)

    def units_per_case(self, sku_code: str | None) -> int | None:
        return self.skus[sku_code].units_per_case if sku_code in self.skus else None

    # --- SKUs -----------------------------------------------------------------------------------------------------
    def exact_sku(self, item: str) -> str | None:
        """The SKU whose alias, master name or code the item is: 3+ characters and no stop word, or a code of
        letters and digits ("C-2"); never a 1-2 letter word ("So", "Le")."""
        key = normal_key(item)
        is_code = any(c.isdigit() for c in key) and any(c.isalpha() for c in key)
        return self.keys.get(key) if is_code or (len(key) >= 3 and key not in STOP_WORDS) else None

    def match_sku(self, item: str) -> tuple[str | None, float]:
        """(sku_code, score in [0, 1]) for an item as written, pack size included."""
        if item not in self._sku_cache:
            self._sku_cache[item] = self._match_sku(item)
        return self._sku_cache[item]

    def _match_sku(self, item: str) -> tuple[str | None, float]:
        exact = self.exact_sku(item)
        if exact is not None:
            return exact, 1.0
        if not self.fuzzy:
            return None, 0.0
        name, pack = split_pack(item)
        tokens = content_tokens(name)
        eligible = [sku for sku in self.skus.values() if tokens and self._covers(sku, tokens)]
        if not eligible:
            return None, 0.0  # a word no SKU has, or nothing but stop words and 1-2 letter tokens
        candidates = [s for s in eligible if pack is not None and s.pack == pack]
        penalty = 1.0
        if not candidates:
            candidates = eligible
            penalty = 0.85 if pack is not None else 1.0
        written = words(name)
        scored = sorted(
            ((max(fuzz.WRatio(written, n) for n in s.names), s) for s in candidates), key=lambda x: (-x[0], x[1].code)
        )
        best, sku = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        score = best / 100 * penalty
        if best - second < 5:
            score *= 0.8  # two SKUs read alike: a person decides
        if pack is None and sum(1 for s in self.skus.values() if s.names[0] == sku.names[0]) > 1:
            score *= 0.7  # the product comes in several packs and the message names none
        return (sku.code if best >= 60 else None), round(score, 4)

    def _covers(self, sku: _Sku, tokens: list[str]) -> bool:
        """Every word of the item is a word of the SKU's names, and one of them is distinctive."""
        distinctive = False
        for token in tokens:
            found = [word for word in sku.vocabulary if token_matches(token, word)]
            if not found:
                return False
            distinctive = distinctive or any(word not in self.generic for word in found)
        return distinctive

    # --- outlets and senders --------------------------------------------------------------------------------------
    def match_outlet(self, text: str) -> tuple[str | None, float]:
        if text not in self._outlet_cache:
            self._outlet_cache[text] = self._match_outlet(text)
        return self._outlet_cache[text]

    def _match_outlet(self, text: str) -> tuple[str | None, float]:
        exact = self.outlet_keys.get(normal_key(text))
        if exact is not None:
            return exact, 1.0
        name = _distinctive(words(text))
        if not self.fuzzy or not name or not self.outlet_names:
            return None, 0.0
        found = process.extract(name, self.outlet_matchable, scorer=fuzz.WRatio, limit=4)
        found.sort(key=lambda f: (-f[1], -fuzz.ratio(name, f[0]), f[2]))
        _, best, index = found[0]
        score = best / 100
        if len(found) > 1 and best - found[1][1] < 3 and _close(name, found[0][0], found[1][0]):
            score *= 0.8  # two outlets fit about as well
        return (self.outlet_codes[index] if best >= 80 else None), round(score, 4)

    def is_known_sender(self, key: str | None) -> bool:
        """The author (or the group, by its chat name's key) is in the chat-senders master."""
        return key is not None and key in self.sender_outlets

    def knows_chat(self, chat: str, key: bytes) -> bool:
        """The chat itself is registered: a group by its name, or a one-to-one chat with a known sender."""
        return self.is_known_sender(author_key(chat, key))

    def outlet_of_author(self, author: str | None, key: str | None = None) -> tuple[str | None, float]:
        """The outlet an author is: the senders master's outlet for their key, their phone number in the outlet
        master, or a saved name close to an outlet's name."""
        if not author:
            return None, 0.0
        if key is not None and self.sender_outlets.get(key) in self.outlet_codes:
            return self.sender_outlets[key], 1.0
        if is_phone(author):
            digits = re.sub(r"\D", "", author)
            code = self.phones.get(digits[-10:])
            return (code, 1.0) if code else (None, 0.0)
        code, score = self.match_outlet(author)
        return (code, score) if code and score >= 0.9 else (None, 0.0)

    def knows_author(self, author: str | None, key: str | None) -> bool:
        """A known sender: in the chat-senders master, or a phone number the outlet master lists."""
        if self.is_known_sender(key):
            return True
        return bool(author) and is_phone(author) and re.sub(r"\D", "", author)[-10:] in self.phones  # type: ignore[arg-type]


def _close(name: str, first: str, second: str) -> bool:
    return fuzz.ratio(name, second) >= fuzz.ratio(name, first) - 3
