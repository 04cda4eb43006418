"""Source kinds, discovered: every package under `ingest/` that exposes `SOURCE` is one.

Adding a source kind means adding a package (`sellthrough new-source NAME` scaffolds it); nothing in
orchestration changes, because orchestration builds its assets from this registry.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import ingest
from ingest.core.source import SourceKind


@cache
def source_kinds() -> dict[str, SourceKind]:
    """Every package on `ingest.__path__` (the `ingest/` folder; a test may add a scratch folder) with SOURCE."""
    kinds: dict[str, SourceKind] = {}
    for module in pkgutil.iter_modules(list(ingest.__path__)):
        if not module.ispkg or module.name in {"core"}:
            continue
        source = getattr(importlib.import_module(f"ingest.{module.name}"), "SOURCE", None)
        if isinstance(source, SourceKind):
            if source.name != module.name:
                raise ValueError(f"ingest.{module.name} declares SOURCE.name={source.name!r}: they must match")
            kinds[source.name] = source
    return dict(sorted(kinds.items(), key=lambda item: (item[1].load_order, item[0])))


def all_schemas() -> dict[str, dict]:
    return {
        table: contract.full_schema for kind in source_kinds().values() for table, contract in kind.contracts.items()
    }
