"""Publishing without copying the history that did not change: the spare generation brought up to date in place.

The published file is replaced by a rename, so a new file must be written every night; copying the whole warehouse
made the publish grow with history (19.5 s of a 100M-line night, bench/README.md). So (the default,
SELLTHROUGH_PUBLISH_MODE=delta) the publisher keeps the file it published the night before last as a spare (a hard
link to the inode it replaced, never a name analysts open) and brings it up to date from the warehouse in one
DuckDB transaction, writing only what differs:

- landing tables (tag `landing`, appended by load, a load's rows never change): the loads the warehouse has and the
  spare has not are inserted, the loads it no longer has deleted;
- incremental facts (meta.incremental_window): per business date, a signature of the rows (count, the range of
  `_built_through`, and of `_dims_fingerprint` and `_as_of_date` where the table has them); every rebuild of a
  date changes one of these (a new load moves `_built_through`, a dimension change the fingerprint, a moved
  as-of date `_as_of_date`), so the dates whose signatures differ are deleted and inserted again. Only the dates
  from the first one rewritten since the spare's build are compared (a build stamps every row it writes with the
  ledger's newest load, which only grows: a filter on `_built_through` skips the history's row groups), unless
  the ledger lost loads the spare has (then every date);
- every other table (tables dbt rebuilds whole each night, snapshots, seeds): replaced whole when its rows differ
  (count and a sum of row hashes), else left alone; a table whose columns changed or the spare lacks: replaced;
  tables the warehouse no longer has are dropped; views recreated.

Then the row counts of every table are compared with the warehouse's (a difference fails the delta, which rolls
back, and the caller copies the whole file as before: a date a window emptied before the first date it rewrote
ends there). A spare still open by a reader (DuckDB refuses the write lock), a missing spare, a full refresh, or a
sync that fails all fall back to the copy. sellthrough/publish.py does the rest as for a copy: held-back tables
from the published file, fsync, the self-contained check, 0444, rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

SIGNATURE_COLUMNS = ("_built_through", "_dims_fingerprint", "_as_of_date")
LEDGER = "staging.stg_ingest__loads"  # the loads, each with its loaded_at: what `_built_through` is the newest of


@dataclass(frozen=True)
class IncrementalTable:
    kind: str  # 'window' (rows replaced by business date) or 'landing' (rows appended by load)
    key: str  # the date column, or load_id


def incremental_tables(manifest: Mapping) -> dict[str, IncrementalTable]:
    """schema.name of every incremental model of the manifest, with how its rows change."""
    found: dict[str, IncrementalTable] = {}
    for node in manifest.get("nodes", {}).values():
        config = node.get("config", {})
        if node.get("resource_type") != "model" or config.get("materialized") != "incremental":
            continue
        relation = f"{node.get('schema')}.{node.get('alias') or node.get('name')}"
        window = (config.get("meta") or {}).get("incremental_window")
        if window and window.get("date_column"):
            found[relation] = IncrementalTable("window", window["date_column"])
        elif "landing" in (node.get("tags") or []):
            found[relation] = IncrementalTable("landing", "load_id")
    return found


class DeltaFailed(RuntimeError):
    """The spare could not be brought up to date: the caller copies the whole warehouse instead."""


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _name(schema: str, table: str, catalog: str | None = None) -> str:
    return ".".join(_q(p) for p in ((catalog,) if catalog else ()) + (schema, table))


def _columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    rows = con.execute(
        "select c.schema_name, c.table_name, c.column_name, c.data_type from duckdb_columns() as c "
        "join duckdb_tables() as t using (database_name, schema_name, table_name) "
        "where c.database_name = ? order by c.schema_name, c.table_name, c.column_index",
        [catalog],
    ).fetchall()
    tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault((schema, table), []).append((column, data_type))
    return tables


def _sync_landing(con: duckdb.DuckDBPyConnection, target: str, source: str, key: str) -> int:
    """Insert the loads only the warehouse has, delete those only the spare has; the number of loads written."""
    k = _q(key)
    # identifiers from the catalogs, quoted; no value is spliced into the statements (here and below)
    keys = "select distinct {k} as k from {a} except select distinct {k} from {b}"
    con.execute(f"create or replace temp table _gone as {keys.format(k=k, a=target, b=source)}")
    con.execute(f"create or replace temp table _new as {keys.format(k=k, a=source, b=target)}")
    gone, new = con.execute("select (select count(*) from _gone), (select count(*) from _new)").fetchall()[0]
    if gone:
        con.execute(f"delete from {target} where {k} in (select k from _gone)")  # noqa: S608
    if new:
        con.execute(f"insert into {target} select * from {source} where {k} in (select k from _new)")  # noqa: S608
    return int(gone + new)


def _rebuilt_from(con: duckdb.DuckDBPyConnection, target: str, source: str, key: str) -> object | None:
    """The first business date the builds since the spare's rewrote (None: none), found without reading history:
    every row a build writes carries that build's `_built_through` (the ledger's newest load, which only grows),
    so the rows written since the spare's build are those at or after the spare's newest, and a filter on it
    skips the older row groups (zone maps). A date a window emptied without rewriting any row before it leaves
    the spare with more rows than the warehouse: the row-count check fails the delta and the whole file is
    copied."""
    (built,) = con.execute(f"select max(_built_through) from {target}").fetchall()[0]  # noqa: S608
    if built is None:
        return None
    (first,) = con.execute(
        f"select min({_q(key)}) from {source} where _built_through >= ?",  # noqa: S608
        [built],
    ).fetchall()[0]
    return first


def _sync_window(
    con: duckdb.DuckDBPyConnection, target: str, source: str, key: str, columns: list[str], since_built: bool
) -> int:
    """Replace the business dates whose signatures differ; the number of dates written. `since_built`: compare
    only the dates from the first one rewritten since the spare's build (_rebuilt_from) and the undated rows."""
    k = _q(key)
    parts = ["count(*)"]
    for name in SIGNATURE_COLUMNS:
        if name in columns:
            parts += [f"min({_q(name)})", f"max({_q(name)})"]
    scope = ""
    if since_built and "_built_through" in columns:
        first = _rebuilt_from(con, target, source, key)
        # a literal of the date read from the warehouse (a date or a timestamp only): the filter reaches the scans
        scope = f" where {k} is null" if first is None else f" where {k} is null or {k} >= {_literal(first)}"
    per_date = f"select {k}, {', '.join(parts)} from {{}}{scope} group by {k}"  # noqa: S608
    a, b = per_date.format(source), per_date.format(target)
    differ = f"({a} except {b}) union all ({b} except {a})"
    con.execute(f"create or replace temp table _dates as select distinct {k} as k from ({differ})")  # noqa: S608
    changed, null_key = con.execute("select count(*), count(*) filter (where k is null) from _dates").fetchall()[0]
    if changed - null_key:  # a semi-join on the dates, so DuckDB skips what it can
        con.execute(f"delete from {target} where {k} in (select k from _dates)")  # noqa: S608
        con.execute(f"insert into {target} select * from {source} where {k} in (select k from _dates)")  # noqa: S608
    if null_key:
        con.execute(f"delete from {target} where {k} is null")  # noqa: S608
        con.execute(f"insert into {target} select * from {source} where {k} is null")  # noqa: S608
    return int(changed)


def _literal(value: object) -> str:
    """A date or timestamp read from a table, as a SQL literal (nothing else is accepted)."""
    if isinstance(value, datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    raise DeltaFailed(f"a window's date column holds {type(value).__name__}, not a date")


def _ledger_grew(con: duckdb.DuckDBPyConnection, target: str, source: str) -> bool:
    """The warehouse's ledger has every load the spare's has as loaded, or newer (the newest `loaded_at` only
    grows): then `_built_through` only grows too, which _rebuilt_from relies on."""
    newest = "select max(loaded_at) filter (where status = 'loaded') from {}"
    (mine,) = con.execute(newest.format(target)).fetchall()[0]
    (theirs,) = con.execute(newest.format(source)).fetchall()[0]
    return mine is not None and theirs is not None and theirs >= mine


def _sync_table(con: duckdb.DuckDBPyConnection, target: str, source: str) -> int:
    """A table dbt rebuilds whole: replaced when its rows differ (count and a sum of row hashes; reading both is
    far cheaper than writing one), else left as it is. -1 when replaced."""
    checksum = "select count(*), sum(hash(t)::hugeint) from {} as t"
    same = con.execute(f"{checksum.format(source)} intersect {checksum.format(target)}").fetchall()
    if same:  # one row when count and checksum agree
        return 0
    con.execute(f"create or replace table {target} as select * from {source}")  # noqa: S608
    return -1


def bring_up_to_date(
    spare: Path, warehouse: Path, incremental: Mapping[str, IncrementalTable], ledger: str = LEDGER
) -> dict[str, int]:
    """Make `spare` hold what `warehouse` holds, writing only what differs (module docstring). Returns, per table
    touched, the loads or dates written (-1: replaced whole). Raises DeltaFailed (nothing written) when it cannot.
    `ledger` (schema.table, loaded_at and status): when its newest load is no older than the spare's, a window
    table compares only the dates rewritten since the spare's build."""
    try:
        con = duckdb.connect(str(spare))
    except duckdb.Error as problem:  # a reader still has it open (DuckDB's file lock), or it is damaged
        raise DeltaFailed(
            f"the spare {spare.name} cannot be opened for writing: {str(problem).splitlines()[0]}"
        ) from None
    written: dict[str, int] = {}
    try:
        con.execute("attach ? as _warehouse (read_only)", [str(warehouse)])
        spare_catalog = con.execute("select current_database()").fetchone()[0]
        con.execute("begin transaction")
        source_tables, target_tables = _columns(con, "_warehouse"), _columns(con, spare_catalog)
        schemas = {s for s, _ in source_tables} | {
            s
            for (s,) in con.execute(
                "select schema_name from duckdb_schemas() where database_name = '_warehouse' and not internal"
            ).fetchall()
        }
        for schema in sorted(schemas):
            con.execute(f"create schema if not exists {_q(schema)}")
        for schema, view in con.execute(
            "select schema_name, view_name from duckdb_views() where database_name = ? and not internal",
            [spare_catalog],
        ).fetchall():
            con.execute(f"drop view if exists {_name(schema, view)}")
        for schema, table in sorted(set(target_tables) - set(source_tables)):
            con.execute(f"drop table {_name(schema, table)}")
        ledger_schema, ledger_table = ledger.split(".", 1)
        since_built = all(
            {"loaded_at", "status"} <= {c for c, _ in tables.get((ledger_schema, ledger_table), [])}
            for tables in (source_tables, target_tables)
        ) and _ledger_grew(con, _name(ledger_schema, ledger_table), _name(ledger_schema, ledger_table, "_warehouse"))
        for (schema, table), columns in sorted(source_tables.items()):
            relation = f"{schema}.{table}"
            source, target = _name(schema, table, "_warehouse"), _name(schema, table)
            how = incremental.get(relation)
            names = [c for c, _ in columns]
            if target_tables.get((schema, table)) != columns:  # new, or its columns changed
                con.execute(f"create or replace table {target} as select * from {source}")  # noqa: S608
                written[relation] = -1
            elif how is None or how.key not in names:
                written[relation] = _sync_table(con, target, source)
            elif how.kind == "landing":
                written[relation] = _sync_landing(con, target, source, how.key)
            else:
                written[relation] = _sync_window(con, target, source, how.key, names, since_built)
        _check_counts(con, sorted(source_tables))
        con.execute("commit")
        _create_views(con)  # after the commit: a view that does not bind yet fails a statement, not the transaction
        con.execute("detach _warehouse")
        con.execute("checkpoint")
    except (duckdb.Error, DeltaFailed) as problem:
        con.close()
        raise DeltaFailed(f"bringing {spare.name} up to date failed: {str(problem).splitlines()[0]}") from None
    con.close()
    return written


def _create_views(con: duckdb.DuckDBPyConnection) -> None:
    """The warehouse's views, from their own definitions as DuckDB stored them (catalog-free: they bind to the
    spare's tables). A view over another view binds only once that one exists: passes until none is left."""
    pending = con.execute(
        "select sql from duckdb_views() where database_name = '_warehouse' and not internal order by view_oid"
    ).fetchall()
    while pending:
        failed = []
        for (sql,) in pending:
            try:
                con.execute(sql)
            except duckdb.CatalogException:
                failed.append((sql,))
        if len(failed) == len(pending):
            raise DeltaFailed(f"{len(failed)} view(s) of the warehouse do not bind in the spare")
        pending = failed


def _check_counts(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> None:
    for schema, table in tables:
        source, target = _name(schema, table, "_warehouse"), _name(schema, table)
        (a, b) = con.execute(f"select (select count(*) from {source}), (select count(*) from {target})").fetchone()  # noqa: S608
        if a != b:
            raise DeltaFailed(f"{schema}.{table} has {b} rows in the spare, {a} in the warehouse")
