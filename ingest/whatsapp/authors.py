"""Chat authors without phone numbers in the clear: a keyed hash to join on, a masked form to show.

`author_key` is HMAC-SHA256 of the normalised name under the key in `SELLTHROUGH_HASH_KEY`; without it a fixed
development key is used and a warning is logged once (never ship that: the hashes of phone numbers are then
guessable by anyone who reads this file). Saved contact names stay readable in `display_author`; phone numbers are
masked to the country code and the last four digits, e.g. `+91 98765 43210` -> `+91 ••••• •3210`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
from functools import cache, lru_cache

from ingest.core.rules import clean_name, mask_phone

log = logging.getLogger("sellthrough.ingest.whatsapp")

HASH_KEY_ENV = "SELLTHROUGH_HASH_KEY"
DEVELOPMENT_KEY = "sellthrough-development-key-not-for-production"

# A phone number as an author: only digits, '+', spaces, dashes, dots and brackets, with at least 7 digits.
_PHONE_AUTHOR = re.compile(r"\+?[\d\s\u00a0\u202f().\-]+")


def hash_key() -> bytes:
    """The HMAC key: `SELLTHROUGH_HASH_KEY`, else the development default (with a warning, logged once)."""
    value = os.environ.get(HASH_KEY_ENV)
    if value:
        return value.encode()
    _warn_development_key()
    return DEVELOPMENT_KEY.encode()


@cache
def _warn_development_key() -> None:
    log.warning("%s is not set: author keys use the development default key (not for production)", HASH_KEY_ENV)


def is_phone(name: str) -> bool:
    cleaned = clean_name(name)
    return bool(_PHONE_AUTHOR.fullmatch(cleaned)) and sum(c.isdigit() for c in cleaned) >= 7


def _canonical(name: str) -> str:
    """What is hashed: a phone number as `+digits` (however it was spaced; an Indian mobile written without its
    country code, `98765 43210` or `098765 43210`, as `+91...` so a master and a chat agree), a name as cleaned."""
    cleaned = clean_name(name)
    if is_phone(cleaned):
        digits = "".join(c for c in cleaned if c.isdigit())
        if cleaned.startswith("+"):
            return f"+{digits}"
        if len(digits) == 11 and digits[0] == "0" and digits[1] in "6789":
            digits = digits[1:]
        return f"+91{digits}" if len(digits) == 10 and digits[0] in "6789" else digits
    return cleaned


def author_key(name: str, key: bytes | str | None = None) -> str:
    """HMAC-SHA256 (hex) of the canonical author; `key` defaults to `hash_key()`."""
    secret = hash_key() if key is None else (key.encode() if isinstance(key, str) else key)
    return hmac.new(secret, _canonical(name).encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=65_536)
def display_author(name: str) -> str:
    """The author as people may see it: a saved contact name as is, a phone number masked."""
    cleaned = clean_name(name)
    return mask_phone(cleaned) if is_phone(cleaned) else cleaned
