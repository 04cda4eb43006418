"""Files in the inbox that no load reads, each with the reason a person needs to act on it.

The ingest reads `inbox/<kind>/<distributor>/<file>` for the kinds the registry knows. It never follows a
symbolic link (a link can point anywhere on the machine), never reads hidden files or Office lock files (`~$...`,
written while a workbook is open), and cannot know what a folder of an unknown kind holds. Such files used to be
passed over without a word; they are listed here, by the nightly run (as `skipped` outcomes, logged) and by
`sellthrough status`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ingest.registry import source_kinds


@dataclass(frozen=True)
class SkippedFile:
    file_name: str  # relative to the inbox
    reason: str
    kind: str | None = None


def is_linked(path: Path, root: Path) -> bool:
    """True when `path` or a folder between `root` and it is a symbolic link."""
    current = path
    while current != root and current != current.parent:
        if current.is_symlink():
            return True
        current = current.parent
    return False


def unscanned_files(inbox: Path) -> list[SkippedFile]:
    """Links, hidden and lock files, and files under folders that are not a known source kind."""
    if not inbox.is_dir():
        return []
    kinds = source_kinds()
    found: list[SkippedFile] = []
    for folder, directories, files in os.walk(inbox, followlinks=False):
        here = Path(folder)
        for name in sorted(directories):  # a linked folder is not walked into: report it once
            path = here / name
            if path.is_symlink():
                found.append(SkippedFile(_relative(path, inbox), _link_reason(path), _kind(path, inbox, kinds)))
        for name in sorted(files):
            path = here / name
            reason = _file_reason(path, inbox, kinds)
            if reason is not None:
                found.append(SkippedFile(_relative(path, inbox), reason, _kind(path, inbox, kinds)))
    return found


def _file_reason(path: Path, inbox: Path, kinds: dict) -> str | None:
    relative = path.relative_to(inbox)
    if path.is_symlink():
        return _link_reason(path)
    if relative.parts[0] not in kinds:
        if len(relative.parts) == 1:
            return f"not in a source kind's folder: move it to inbox/<kind>/<distributor>/ (kinds: {', '.join(kinds)})"
        return (
            f"'{relative.parts[0]}' is not a source kind: move the file to inbox/<kind>/<distributor>/ "
            f"(kinds: {', '.join(kinds)}), or add the kind (`sellthrough new-source {relative.parts[0]}`)"
        )
    if path.name.startswith("~$"):
        return "an Office lock file (the workbook is open somewhere); ignored"
    if path.name.startswith("."):
        return "a hidden file; ignored"
    return None


def _link_reason(path: Path) -> str:
    return f"a symbolic link (to {os.readlink(path)}): links are never followed; copy the file itself into the inbox"


def _kind(path: Path, inbox: Path, kinds: dict) -> str | None:
    first = path.relative_to(inbox).parts[0]
    return first if first in kinds else None


def _relative(path: Path, inbox: Path) -> str:
    return path.relative_to(inbox).as_posix()
