"""Atomic publishing of the warehouse file, and the read-only connection analysts use."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import duckdb

from ingest.core.failpoints import failpoint
from sellthrough.publish_delta import DeltaFailed, IncrementalTable, bring_up_to_date

PUBLISH_MODE_ENV = "SELLTHROUGH_PUBLISH_MODE"
READ_ONLY = 0o444  # analysts read the published file; only the next publish replaces it (a rename, not a write)


class NotSelfContained(RuntimeError):
    """The built warehouse has an object that reads files outside it: publishing it would break analysts."""


class HeldBackWithoutPrevious(RuntimeError):
    """A table to hold back has no earlier published version: nothing can be published for it."""


def spare_path(published: Path) -> Path:
    """The file published the night before last (a hard link to the inode the last publish replaced): the next
    publish brings it up to date in place (sellthrough/publish_delta.py). No analyst opens it by this name."""
    return published.with_name(f".{published.name}.spare")


def publish_mode() -> str:
    """`delta` (default): bring the spare up to date, writing only what changed (when the caller passes the
    incremental tables: not after a full refresh nor on the weekly full test night); `copy`: copy the whole file
    every time. A copy grows with history (the whole file, about 85 MB/s on this machine's disk); the delta reads
    narrow columns to find what changed and writes one night's rows (bench/README.md, warehouse_scale)."""
    mode = os.environ.get(PUBLISH_MODE_ENV, "delta").strip().lower() or "delta"
    if mode not in ("delta", "copy"):
        raise ValueError(f"{PUBLISH_MODE_ENV}={mode!r}: expected 'delta' or 'copy'")
    return mode


def publish_warehouse(
    warehouse: Path,
    published: Path,
    keep_previous: Iterable[str] = (),
    incremental: Mapping[str, IncrementalTable] | None = None,
    log: Callable[[str], None] | None = None,
) -> int:
    """Write the new file next to `published`, then rename over it: readers see the old or the new file,
    never half of one (a reader that has the old file open keeps reading it).

    With `incremental` (the manifest's incremental models: sellthrough/publish_delta.py) and a spare, the new file
    is the spare brought up to date from `warehouse`, writing only what changed; else (or when that fails) a copy
    of `warehouse`. The file replaced becomes the next spare.
    `keep_previous` (schema.name) are tables whose fresh build failed a check: the copy takes them from the file
    published before (so a failing check holds back only what it must); views over them read those tables."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: run the dbt build first")
    published.parent.mkdir(parents=True, exist_ok=True)
    for stale in published.parent.glob(f".{published.name}.*.tmp"):  # left by a run killed mid-copy
        stale.unlink(missing_ok=True)
    _settle_spare(published)
    staging = _delta_staging(warehouse, published, incremental, log or (lambda _: None))
    if staging is None:
        staging = published.with_name(f".{published.name}.{os.getpid()}.tmp")
        shutil.copyfile(warehouse, staging)
    keep = sorted(set(keep_previous))
    if keep:
        _take_from_previous(staging, published, keep)
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    check_self_contained(staging)  # refuse to publish a file DuckDB cannot open, or one that reads files
    os.chmod(staging, READ_ONLY)
    failpoint("publish.before_rename")
    following = _next_spare(published)
    # in delta mode the file analysts have now becomes the spare of the next publish (it keeps its disk space);
    # in copy mode there is no spare
    if published.exists() and publish_mode() == "delta":
        following.unlink(missing_ok=True)
        os.link(published, following)
    os.replace(staging, published)
    if following.exists():
        os.replace(following, spare_path(published))
    elif publish_mode() != "delta":
        spare_path(published).unlink(missing_ok=True)
    return published.stat().st_size


def _next_spare(published: Path) -> Path:
    return published.with_name(f".{published.name}.spare.next")


def _settle_spare(published: Path) -> None:
    """Finish what a publish killed between its renames left: a next spare that is still the published file
    (killed before the rename) goes; one that is not (killed after it) becomes the spare. The spare is never the
    published file itself (it is written in place)."""
    following, spare = _next_spare(published), spare_path(published)
    if following.exists():
        if published.exists() and os.path.samefile(following, published):
            following.unlink()
        else:
            os.replace(following, spare)
    if spare.exists() and published.exists() and os.path.samefile(spare, published):
        spare.unlink()


def _delta_staging(
    warehouse: Path, published: Path, incremental: Mapping[str, IncrementalTable] | None, log: Callable[[str], None]
) -> Path | None:
    """The spare, brought up to date from `warehouse` (None: copy the whole file instead, said in `log`)."""
    spare = spare_path(published)
    if incremental is None or publish_mode() != "delta" or not spare.exists():
        return None
    try:
        os.chmod(spare, 0o644)
        written = bring_up_to_date(spare, warehouse, incremental)
    except (DeltaFailed, OSError) as problem:
        log(f"publishing by a whole copy: {problem}")
        return None
    whole = sum(1 for n in written.values() if n < 0)
    synced = sum(1 for n in written.values() if n > 0)
    log(
        f"published by writing only what changed: {synced} incremental tables brought up to date, {whole} tables "
        f"replaced, {len(written) - whole - synced} unchanged"
    )
    return spare


def _take_from_previous(staging: Path, previous: Path, relations: list[str]) -> None:
    """Replace each table of `relations` in `staging` by its version in `previous` (which must have them all)."""
    if not previous.exists():
        raise HeldBackWithoutPrevious(f"no published file at {previous} to keep {', '.join(relations)} from")
    with duckdb.connect(str(staging)) as con:
        con.execute("attach ? as previous (read_only)", [str(previous)])
        tables = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'previous'"
            ).fetchall()
        }
        missing = [r for r in relations if r not in tables and _is_table(con, r)]
        if missing:
            raise HeldBackWithoutPrevious(f"{previous.name} has no earlier {', '.join(missing)} to keep")
        for relation in relations:
            if relation not in tables:
                continue  # a view: it reads the kept tables
            schema, name = (_quote(part) for part in relation.split(".", 1))
            # identifiers from the catalogs, quoted; no value is spliced into the statement
            con.execute(f"create or replace table {schema}.{name} as select * from previous.{schema}.{name}")  # noqa: S608
        con.execute("detach previous")
        con.execute("checkpoint")


def _is_table(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".", 1)
    found = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


def check_self_contained(path: Path) -> None:
    """Every table and view of `path` answers with file and network access off (as analysts open it, on any
    machine): no view may read the lake or a CSV by path. Binding each object (`limit 0`) is enough and cheap."""
    with connect_published(path) as con:
        objects = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
            "union all select schema_name, view_name from duckdb_views() "
            "where database_name = current_database() and not internal order by all"
        ).fetchall()
        broken = []
        for schema, name in objects:
            try:
                con.table(f"{_quote(schema)}.{_quote(name)}").limit(0).fetchall()
            except duckdb.Error as problem:
                broken.append(f"{schema}.{name}: {str(problem).splitlines()[0]}")
    if broken:
        raise NotSelfContained(
            f"{path.name}: {len(broken)} object(s) do not answer without file access, so the published copy would "
            "break for analysts: " + "; ".join(broken[:5])
        )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def connect_published(path: Path) -> duckdb.DuckDBPyConnection:
    """What analysts should use: read-only, no access to files or the network, settings locked."""
    return duckdb.connect(
        str(path),
        read_only=True,
        config={"enable_external_access": False, "lock_configuration": True},
    )
