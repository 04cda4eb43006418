"""One suite per source kind, `expectations/suites/<kind>.py`, each exposing `SUITE` (see expectations.model)."""

from __future__ import annotations

import importlib
from functools import cache

from expectations.model import Suite


@cache
def suite_for(kind: str) -> Suite | None:
    """The suite of a source kind, or None when the kind has none yet (its loads are then not validated)."""
    try:
        module = importlib.import_module(f"expectations.suites.{kind}")
    except ModuleNotFoundError as missing:
        if missing.name == f"expectations.suites.{kind}":
            return None
        raise
    return getattr(module, "SUITE", None)
