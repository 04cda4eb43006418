"""The nightly tests what changed: on incremental models, only the rows built since the version analysts have.

A night rebuilds a few days of each incremental fact and appends the new loads to the landing tables, yet a data
test reads its whole table: the tests made the night grow with history (bench/README.md, warehouse_scale). So
after each publish this module records, per incremental model, how far the published file's rows go:

- incremental-window models (meta.incremental_window): the stamp a build of the published file's state gives its
  rows, the newest `loaded_at` of the published ledger's loaded loads (macros/incremental/incremental_window.sql,
  built_through). Every row a later build (re)writes carries one at least as new (the same one when only a
  dimension or the as-of date moved), so `_built_through >= it` holds what changed since, plus the published
  build's own window (after a history build, all of it: the first night tests it again). A model the published
  build did not touch has only older stamps, so a fact that gets no new file is not tested again night after night;
- landing tables (tag `landing`, appended by load): the newest `loaded_at` of the published ledger, so the test
  takes the rows of the loads committed from then on;
- views that hold another model's rows one for one (`meta.test_window.like: <model>`: the intermediate views over
  every secondary line, which no incremental window narrowed and whose tests grew with history): the window of
  that model, on the same column the view carries, or (`date_column`) the view's rows dated on or after the
  earliest date the model rebuilt. A view's row of an old load or an old build can change only
  through the view's other inputs (party keys, supersessions, schemes), each tested on its own grain, and the
  weekly full run tests the view whole.

The nightly dbt step passes these to dbt (SELLTHROUGH_TEST_WINDOW, read by macros/testing/test_window.sql, which narrows
each data test of those models, as dbt's `where` config does) and the mart suites read the same rows. What is not
recorded is tested whole: a model held back by a failed check (its rows are tested again until they publish), any
table model, a first night, a full refresh (all rows are new), and every run with `full_tests` (the Sunday night
of the schedule, `sellthrough run --full-tests`). The record names the published file it describes (inode, size,
mtime): a record left by a crash between the publish and its writing describes an older file and is ignored, so
the failure mode is always a wider test, never a narrower one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sellthrough.publish import connect_published
from sellthrough.publish_delta import incremental_tables

ENV_VAR = "SELLTHROUGH_TEST_WINDOW"
LEDGER_MODEL = "model.sellthrough.stg_ingest__loads"
WINDOW_COLUMN = "_built_through"


def record_path(published: Path) -> Path:
    return published.with_name(f".{published.name}.test_windows.json")


def _identity(path: Path) -> dict[str, int]:
    stat = path.stat()
    return {"inode": stat.st_ino, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _relation(node: Mapping) -> str:
    return f"{node.get('schema')}.{node.get('alias') or node.get('name')}"


def incremental_models(manifest: Mapping) -> dict[str, str]:
    """schema.name of each incremental model -> 'window' (by `_built_through`) or 'landing' (by load)."""
    return {relation: table.kind for relation, table in incremental_tables(manifest).items()}


def window_followers(manifest: Mapping) -> dict[str, tuple[list[tuple[str, str | None]], str | None]]:
    """schema.name of each view that takes other models' test window (meta.test_window.like: a model, or a list of
    them for a view over several, e.g. fct_returns over both facts) -> [(that model, its date column when the
    name differs: meta.test_window.like_date_column, one name or a mapping model -> name, e.g. the fact's
    invoice_date for a series' sale_date)], the view's date column when it narrows by date
    (meta.test_window.date_column): its rows on or after the earliest date among the rows those models rebuilt
    (a date filter reaches a view's scans through its joins, where a filter on the build time stops at the first
    aggregate)."""
    by_name = {
        node.get("name"): _relation(node)
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model"
    }
    found = {}
    for node in manifest.get("nodes", {}).values():
        config = node.get("config", {})
        spec = (config.get("meta") or {}).get("test_window") or {}
        is_view = node.get("resource_type") == "model" and config.get("materialized") == "view"
        likes = spec.get("like") or []
        likes = [likes] if isinstance(likes, str) else list(likes)
        if not is_view or not likes or not all(like in by_name for like in likes):
            continue
        columns = spec.get("like_date_column")
        found[_relation(node)] = (
            [(by_name[like], columns.get(like) if isinstance(columns, Mapping) else columns) for like in likes],
            spec.get("date_column"),
        )
    return found


def _quoted(relation: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in relation.split(".", 1))


def record_test_windows(published: Path, manifest: Mapping, kept: Iterable[str] = ()) -> Path:
    """Write the record of `published` (just renamed into place). `kept` are relations taken from the previous
    file (held back): left out, so their rows are tested whole until a build of them publishes."""
    ledger = _relation(manifest["nodes"][LEDGER_MODEL])
    held = set(kept)
    models = {rel: kind for rel, kind in incremental_models(manifest).items() if rel not in held}
    relations: dict[str, dict[str, str]] = {}
    with connect_published(published) as con:
        present = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
            ).fetchall()
        }
        ledger_after = built_through = None
        if ledger in present:
            # identifiers come from the manifest, quoted; no value is spliced into the statement
            ledger_after, built_through = con.execute(
                f"select max(loaded_at), max(loaded_at) filter (where status = 'loaded') from {_quoted(ledger)}"  # noqa: S608
            ).fetchone()
        for relation, kind in sorted(models.items()):
            if relation not in present:
                continue
            if kind == "window":
                # the stamp a build would give its rows now (macros/incremental/incremental_window.sql,
                # built_through): every row of the published file has one at most this new, every row written
                # since has one at least this new; the model's own newest would be older for a model the
                # published build did not touch, and its whole last build would be tested again every night
                after, column = built_through, WINDOW_COLUMN
            else:
                after, column = ledger_after, "loaded_at" if relation == ledger else "load_id"
            if isinstance(after, datetime):
                relations[relation] = {"column": column, "after": after.isoformat(sep=" ")}
    for view, (likes, date_column) in sorted(window_followers(manifest).items()):
        if not all(like in relations for like, _ in likes):
            continue  # a model held back (or absent): the view is tested whole
        (like, like_date_column), *others = likes
        if not date_column or any(relations[other]["column"] != WINDOW_COLUMN for other, _ in likes):
            if not others:
                relations[view] = dict(relations[like])
            continue  # several models' windows meet only on a date
        relations[view] = dict(relations[like], column="date", date_column=date_column, of=like)
        if like_date_column:
            relations[view]["of_date_column"] = like_date_column
        if others:  # the earliest date any of them rebuilt
            relations[view]["and"] = [
                {"of": other, "after": relations[other]["after"]}
                | ({"of_date_column": other_date} if other_date else {})
                for other, other_date in others
            ]
    record = {"file": _identity(published), "ledger": ledger, "relations": relations}
    target = record_path(published)
    staging = target.with_name(target.name + ".tmp")
    staging.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(staging, target)
    return target


def published_windows(published: Path) -> dict | None:
    """The record of the file now published, or None (no file, no record, or a record of another file)."""
    target = record_path(published)
    if not published.exists() or not target.exists():
        return None
    try:
        record = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("file") != _identity(published):
        return None
    return record


def dbt_test_window(published: Path, full_tests: bool) -> str:
    """The value of SELLTHROUGH_TEST_WINDOW for tonight's dbt build ('' = every test on whole tables)."""
    record = None if full_tests else published_windows(published)
    if not record or not record.get("relations"):
        return ""
    return json.dumps({"ledger": record["ledger"], "relations": record["relations"]})


def mart_windows(published: Path, full_tests: bool, schemas: tuple[str, ...] = ("main", "ops")) -> dict[str, datetime]:
    """For the mart suites: mart name -> validate only its rows with `_built_through` at or after this (marts
    absent are validated whole). The marts sit in main and ops (model names are unique across both)."""
    record = None if full_tests else published_windows(published)
    found = {}
    for relation, entry in (record or {}).get("relations", {}).items():
        rel_schema, name = relation.split(".", 1)
        if rel_schema in schemas and entry.get("column") == WINDOW_COLUMN:
            found[name] = datetime.fromisoformat(entry["after"])
    return found
