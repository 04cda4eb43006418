"""Which inbox files are new: what the file-arrival sensor asks before it starts a run.

A file is new when its sha256 is in no ledger row. Hashing every file on every tick would be wasteful, so a
file is hashed only when its (path, size, mtime) is not in the cache the sensor carries from tick to tick.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ingest.core.files import sha256_of
from ingest.core.lake import Lake
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

    @property
    def run_key(self) -> str:
        """Same set of files, same key: Dagster never starts two runs for one key."""
        return "inbox-" + hashlib.sha256("\n".join(sorted(self.hashes)).encode()).hexdigest()[:20]


def find_new_files(inbox: Path, lake: Lake, state: WatchState) -> tuple[NewFiles, WatchState]:
    """New files not yet loaded nor already handed to a run; the returned state is the next cursor."""
    loaded = set(lake.ledger()["file_sha256"].to_list())
    hashes: dict[str, str] = {}
    names, shas = [], []
    for item in scan_inbox(inbox):
        stat = item.path.stat()
        key = f"{item.name}|{stat.st_size}|{stat.st_mtime_ns}"
        sha = state.hashes.get(key) or sha256_of(item.path)
        hashes[key] = sha
        if sha not in loaded and sha not in state.requested and sha not in shas:
            names.append(item.name)
            shas.append(sha)
    # forget requests that are now in the ledger (loaded or failed): the cursor stays small
    requested = {sha for sha in state.requested if sha not in loaded} | set(shas)
    return NewFiles(names, shas), WatchState(hashes, requested)
