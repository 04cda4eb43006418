"""Which inbox files are new: what the file-arrival sensor asks before it starts a run.

A file is new when its sha256 is in no ledger row, or when it failed and what decided its reading has changed
(ingest/core/retries.py: the next run reads it again). Hashing every file on every tick would be wasteful, so a
file is hashed only when its (path, size, mtime) is not in the cache the sensor carries from tick to tick.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ingest.core.files import sha256_of
from ingest.core.lake import Lake
from ingest.core.retries import Attempts, masters_version, retry_key
from ingest.core.runner import scan_inbox


@dataclass
class WatchState:
    """The sensor's cursor: stat key -> sha256 for files seen, and the hashes a run was already asked for."""

    hashes: dict[str, str] = field(default_factory=dict)
    requested: set[str] = field(default_factory=set)

    def dumps(self) -> str:
        return json.dumps({"hashes": self.hashes, "requested": sorted(self.requested)}, separators=(",", ":"))

    @classmethod
    def loads(cls, cursor: str | None) -> "WatchState":
        if not cursor:
            return cls()
        raw = json.loads(cursor)
        return cls(dict(raw.get("hashes", {})), set(raw.get("requested", [])))


@dataclass(frozen=True)
class NewFiles:
    names: list[str]
    hashes: list[str]
    kinds: list[str] = field(default_factory=list)  # the source kinds of those files, each once

    @property
    def run_key(self) -> str:
        """Same set of files, same key: Dagster never starts two runs for one key."""
        return "inbox-" + hashlib.sha256("\n".join(sorted(self.hashes)).encode()).hexdigest()[:20]


def find_new_files(inbox: Path, lake: Lake, state: WatchState) -> tuple[NewFiles, WatchState]:
    """New files not yet loaded nor already handed to a run, and failed files the next run would read again
    (their folder, layout or masters changed: ingest/core/retries.py); the returned state is the next cursor.
    A retry is asked for as `<sha>:<retry key>`, so a file fixed twice gets a run each time."""
    ledger = lake.ledger()
    attempts = Attempts.from_ledger(ledger)
    masters = masters_version(lake, ledger)
    hashes: dict[str, str] = {}
    names, ids, kinds = [], [], []
    candidates: set[str] = set()
    for item in scan_inbox(inbox):
        stat = item.path.stat()
        key = f"{item.name}|{stat.st_size}|{stat.st_mtime_ns}"
        sha = state.hashes.get(key) or sha256_of(item.path)
        hashes[key] = sha
        context = retry_key(item.kind, item.distributor_code, masters)
        decision = attempts.decide(sha, context)
        if decision.action not in ("load", "retry"):
            continue
        identity = sha if decision.action == "load" else f"{sha}:{context}"
        candidates.add(identity)
        if identity not in state.requested and identity not in ids:
            names.append(item.name)
            ids.append(identity)
            if item.kind not in kinds:
                kinds.append(item.kind)
    # a request is forgotten once the file is no longer waiting (loaded, failed, retried): the cursor stays small
    requested = (state.requested & candidates) | set(ids)
    return NewFiles(names, ids, kinds), WatchState(hashes, requested)
