"""What a run for new inbox files must build: the dbt models a new load of each kind can change.

The nightly builds everything. A run started by the file-arrival sensor builds less, chosen by what the ledger
means rather than by dbt's graph alone: every staging and intermediate model reads the ledger
(`stg_ingest__loads`: the landing pre-hooks, the incremental windows, supersession), so the graph's lineage of a
new load is nearly the whole project, while most of those readers look only at their own kinds' loads. So a new
load of kind K (not masters) changes:

- what reads K's lake tables (`source:K+` in dbt's words);
- the ledger's own models (`stg_ingest__loads`, `int_ingest__supersessions`): built, but what reads them is not
  taken for that reason alone, since each reader filters the ledger by its own kinds (a landing table appends
  its kind's loads, a window looks at its kinds' loads, a current view supersedes within a kind);
- the load summaries, which read every kind's loads (files, quarantine, validations, the review queue), and
  what is built from them;
- for a kind the as-of date comes from (`int_calendar__as_of`: distributor sales, Tally Day Books), everything
  built from the as-of date.

A masters load (or a kind this module does not know) changes everything: None, build all. Other kinds' landing
tables, current views and windowed facts stay as they are; the run must not ingest those kinds either, or their
new loads would be committed to the ledger without being landed. tests/test_run_selection.py builds the tiny
network both ways and compares every relation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

LEDGER_MODELS = ("stg_ingest__loads", "int_ingest__supersessions")
LOAD_SUMMARY_MODELS = (
    "stg_ingest__quarantined_rows",
    "stg_ingest__validations",
    "fct_file_loads",
    "fct_quarantined_rows",
    "fct_data_quality_results",
    "fct_review_queue",
)
AS_OF_MODEL = "int_calendar__as_of"
AS_OF_KINDS = frozenset({"distributor_sales", "tally_daybook"})  # what int_calendar__as_of reads from the ledger
EVERYTHING_KINDS = frozenset({"masters"})  # dimensions, fingerprints and every window move with the masters
BUILT_TYPES = ("model", "snapshot", "seed")


def _model_ids(manifest: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    by_name = {node["name"]: uid for uid, node in manifest["nodes"].items() if node.get("resource_type") in BUILT_TYPES}
    missing = [name for name in names if name not in by_name]
    if missing:  # a renamed model must not silently drop out of every sensor run
        raise KeyError(f"models named by sellthrough/run_selection.py are not in the manifest: {missing}")
    return {by_name[name] for name in names}


def dbt_nodes_for_kinds(manifest: Mapping[str, Any], kinds: Iterable[str]) -> set[str] | None:
    """unique_ids of the models, snapshots and seeds a run loading new files of `kinds` must build, or None when
    it must build everything (a masters load, a kind with no source in the dbt project, no kind at all)."""
    kinds = set(kinds)
    source_kinds = {source["source_name"] for source in manifest["sources"].values()}
    if not kinds or kinds & EVERYTHING_KINDS or not kinds <= source_kinds:
        return None
    children: Mapping[str, list[str]] = manifest["child_map"]
    ledger = _model_ids(manifest, LEDGER_MODELS)
    roots = {
        child
        for uid, source in manifest["sources"].items()
        if source["source_name"] in kinds
        for child in children.get(uid, [])
    }
    roots |= ledger | _model_ids(manifest, LOAD_SUMMARY_MODELS)
    if kinds & AS_OF_KINDS:
        roots |= _model_ids(manifest, [AS_OF_MODEL])
    selected: set[str] = set()
    todo = [uid for uid in roots if uid.split(".", 1)[0] in BUILT_TYPES]
    while todo:
        uid = todo.pop()
        if uid in selected:
            continue
        selected.add(uid)
        if uid in ledger:  # its readers take their own kinds' loads: not changed through it alone
            continue
        todo.extend(c for c in children.get(uid, []) if c.split(".", 1)[0] in BUILT_TYPES and c not in selected)
    return selected
