"""The suites of the source kinds: each `SourceKind.suite` names its module here (`expectations/suites/<kind>.py`),
which exposes `SUITE` (see expectations.model)."""

from __future__ import annotations

import importlib
from functools import cache

from expectations.model import Suite
from ingest.registry import source_kinds


@cache
def suite_for(kind: str) -> Suite | None:
    """The suite the kind's `SourceKind.suite` names, or None when it names none (its loads are then not validated)."""
    source = source_kinds().get(kind)
    if source is None or source.suite is None:
        return None
    suite = importlib.import_module(source.suite).SUITE
    if not isinstance(suite, Suite) or suite.kind != kind:
        raise ValueError(f"{source.suite}.SUITE must be the Suite of {kind!r}, found {suite!r}")
    return suite
