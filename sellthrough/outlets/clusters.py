"""Overrides, clusters, stable master outlet ids and golden records.

Overrides (a person's decisions: outlet_code_a, outlet_code_b, decision in {merge, split}, reason, decided_by)
always win over the rules: a `split` pair never ends up in one cluster, even through other pairs, and a `merge`
pair always does unless a split forbids it. The latest row for a pair wins (keep the CSV append-only). Overrides
are an input of every run, so they stick across runs.

Clusters: union-find over the merge edges, override merges first, then rule merges by descending score; an edge
that would join two outlets kept apart by a split is not applied (decision `no_merge`, `note` says why).

Stable ids (`assign_ids`): each new cluster keeps the previous run's master_outlet_id held by most of its
members (ties: the smaller id); an id goes to one cluster only (the one holding most of its members, ties: the
cluster with the earliest member code). A cluster without one takes its earliest member code (the smallest
outlet_code: codes are issued in sequence) that was never an id before, else that code with a `~n` suffix.

Golden record (`golden_records`): the survivor is the most complete member (count of: name, distributor, party
code, channel, class, beat, town, state, a valid GSTIN, a valid mobile, possible GPS), ties to the oldest
(smallest outlet_code); its empty fields are filled from the other members in the same order (GSTIN, phone and
GPS only from members where they are valid).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

import polars as pl

OVERRIDE_DECISIONS = ("merge", "split")
OVERRIDE_SCHEMA = {
    "outlet_code_a": pl.String,
    "outlet_code_b": pl.String,
    "decision": pl.String,
    "reason": pl.String,
    "decided_by": pl.String,
}
ID_SCHEMA = {"outlet_code": pl.String, "master_outlet_id": pl.String}


class UnionFind:
    """Union-find with cannot-link constraints (the split overrides)."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.parent = {c: c for c in codes}
        self.cannot: dict[str, set[str]] = defaultdict(set)

    def find(self, code: str) -> str:
        root = code
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[code] != root:
            self.parent[code], code = root, self.parent[code]
        return root

    def forbid(self, a: str, b: str) -> None:
        self.cannot[self.find(a)].add(b)
        self.cannot[self.find(b)].add(a)

    def blocker(self, a: str, b: str) -> str | None:
        """The code in a's cluster's cannot-link set that sits in b's cluster, or None when a and b may join."""
        root_a, root_b = self.find(a), self.find(b)
        return next((c for c in self.cannot.get(root_a, ()) if self.find(c) == root_b), None)

    def union(self, a: str, b: str) -> None:
        root_a, root_b = sorted((self.find(a), self.find(b)))
        if root_a == root_b:
            return
        self.parent[root_b] = root_a
        self.cannot[root_a] |= self.cannot.pop(root_b, set())


def ordered_pair(a: pl.Expr, b: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(smaller, larger) of two code columns."""
    return pl.min_horizontal([a, b]), pl.max_horizontal([a, b])


def _override_column(overrides: pl.DataFrame, column: str) -> pl.Expr:
    if column not in overrides.columns:
        return pl.lit(None, dtype=pl.String).alias(column)
    return pl.col(column).cast(pl.String).str.strip_chars().alias(column)


def clean_overrides(overrides: pl.DataFrame | None) -> pl.DataFrame:
    """Overrides with ordered codes, one row per pair (the latest wins), lower-case decisions checked."""
    if overrides is None or overrides.height == 0:
        return pl.DataFrame(schema=OVERRIDE_SCHEMA)
    frame = overrides.select(*(_override_column(overrides, c) for c in OVERRIDE_SCHEMA)).with_columns(
        pl.col("decision").str.to_lowercase().alias("decision")
    )
    bad = frame.filter(~pl.col("decision").is_in(OVERRIDE_DECISIONS) | pl.col("decision").is_null())
    if bad.height:
        raise ValueError(f"override decisions must be merge or split, got {bad['decision'].unique().to_list()}")
    low, high = ordered_pair(pl.col("outlet_code_a"), pl.col("outlet_code_b"))
    frame = frame.with_columns(low.alias("outlet_code_a"), high.alias("outlet_code_b"))
    return frame.filter(pl.col("outlet_code_a") != pl.col("outlet_code_b")).unique(
        subset=["outlet_code_a", "outlet_code_b"], keep="last", maintain_order=True
    )


def build_clusters(codes: list[str], pairs: pl.DataFrame) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """code -> cluster root, and the merge edges not applied (pair -> the split that blocked it).

    `pairs` needs outlet_code_a, outlet_code_b, decision, source, score.
    """
    uf = UnionFind(codes)
    known = set(codes)
    usable = pairs.filter(pl.col("outlet_code_a").is_in(known) & pl.col("outlet_code_b").is_in(known))
    for a, b in usable.filter(pl.col("decision") == "split").select("outlet_code_a", "outlet_code_b").iter_rows():
        uf.forbid(a, b)
    merges = (
        usable.filter(pl.col("decision") == "merge")
        .with_columns((pl.col("source") == "override").alias("by_person"))
        .sort(["by_person", "score", "outlet_code_a", "outlet_code_b"], descending=[True, True, False, False])
    )
    blocked: dict[tuple[str, str], str] = {}
    for a, b in merges.select("outlet_code_a", "outlet_code_b").iter_rows():
        blocker = uf.blocker(a, b)
        if blocker is None:
            uf.union(a, b)
        else:
            blocked[(a, b)] = blocker
    return {c: uf.find(c) for c in codes}, blocked


def _previous_ids(previous: pl.DataFrame | None) -> dict[str, str]:
    if previous is None or previous.height == 0:
        return {}
    frame = previous.select(pl.col("outlet_code").cast(pl.String), pl.col("master_outlet_id").cast(pl.String))
    return dict(frame.drop_nulls().iter_rows())


def _keep_previous(members: dict[str, list[str]], before: dict[str, str]) -> dict[str, str]:
    """cluster root -> previous id, each previous id to one cluster at most."""
    votes = Counter((root, before[c]) for root, codes in members.items() for c in codes if c in before)
    ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0][1], min(members[item[0][0]])))
    kept: dict[str, str] = {}
    taken: set[str] = set()
    for (root, old_id), _count in ranked:
        if root not in kept and old_id not in taken:
            kept[root] = old_id
            taken.add(old_id)
    return kept


def _fresh_id(codes: list[str], used: set[str]) -> str:
    for code in codes:
        if code not in used:
            return code
    n = 2
    while f"{codes[0]}~{n}" in used:
        n += 1
    return f"{codes[0]}~{n}"


def assign_ids(roots: dict[str, str], previous: pl.DataFrame | None = None) -> pl.DataFrame:
    """outlet_code -> master_outlet_id, stable across runs (see the module docstring)."""
    members: dict[str, list[str]] = defaultdict(list)
    for code, root in roots.items():
        members[root].append(code)
    for codes in members.values():
        codes.sort()
    before = _previous_ids(previous)
    ids = _keep_previous(members, before)
    used = set(before.values()) | set(ids.values())
    for root in sorted(members, key=lambda r: members[r][0]):
        if root not in ids:
            ids[root] = _fresh_id(members[root], used)
            used.add(ids[root])
    rows = [(code, ids[root]) for root, codes in members.items() for code in codes]
    return pl.DataFrame(rows, schema=ID_SCHEMA, orient="row").sort("outlet_code")


def id_changes(assignment: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """Outlets whose master_outlet_id changed since the previous run (downstream facts must be re-pointed)."""
    before = pl.DataFrame(list(_previous_ids(previous).items()), schema=ID_SCHEMA, orient="row")
    joined = assignment.join(before.rename({"master_outlet_id": "previous_master_outlet_id"}), on="outlet_code")
    return joined.filter(pl.col("master_outlet_id") != pl.col("previous_master_outlet_id"))


COMPLETENESS = (
    "outlet_name",
    "distributor_code",
    "party_code",
    "channel",
    "outlet_class",
    "beat_code",
    "town",
    "state",
)
GOLDEN_COLUMNS = (*COMPLETENESS, "gstin", "phone", "latitude", "longitude")


def _valid_fields(outlets: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """The master with invalid GSTIN/phone/GPS masked to null and a completeness count."""
    frame = outlets.join(flags, on="outlet_code", how="left")
    for column in COMPLETENESS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    gps_ok = ~pl.col("gps_impossible")
    frame = frame.with_columns(
        pl.when(~pl.col("gstin_invalid")).then(pl.col("gstin_key")).alias("gstin"),
        pl.when(~pl.col("phone_invalid")).then(pl.col("phone_key")).alias("phone"),
        pl.when(gps_ok).then(pl.col("latitude")).alias("latitude"),
        pl.when(gps_ok).then(pl.col("longitude")).alias("longitude"),
    )
    present = [pl.col(c).is_not_null().cast(pl.Int32) for c in (*COMPLETENESS, "gstin", "phone", "latitude")]
    return frame.with_columns(pl.sum_horizontal(present).alias("completeness"))


def golden_records(outlets: pl.DataFrame, assignment: pl.DataFrame, flags: pl.DataFrame) -> pl.DataFrame:
    """One row per master_outlet_id: the survivor's fields, gaps filled from the other members."""
    frame = (
        _valid_fields(outlets, flags)
        .join(assignment, on="outlet_code")
        .sort(["master_outlet_id", "completeness", "outlet_code"], descending=[False, True, False])
    )
    return (
        frame.group_by("master_outlet_id", maintain_order=True)
        .agg(
            pl.col("outlet_code").first().alias("golden_outlet_code"),
            pl.len().alias("members"),
            pl.col("outlet_code").sort().alias("member_codes"),
            pl.col("distributor_code").drop_nulls().unique().sort().alias("distributor_codes"),
            *(pl.col(c).drop_nulls().first().alias(c) for c in GOLDEN_COLUMNS),
        )
        .sort("master_outlet_id")
    )


def override_candidates(overrides: pl.DataFrame, codes: set[str]) -> pl.DataFrame:
    """Override pairs between known outlets, as candidate pairs (block `override`) so they get features too."""
    known = overrides.filter(pl.col("outlet_code_a").is_in(codes) & pl.col("outlet_code_b").is_in(codes))
    return known.select(
        "outlet_code_a", "outlet_code_b", pl.lit(["override"], dtype=pl.List(pl.String)).alias("blocks")
    )


def apply_overrides(scored: pl.DataFrame, overrides: pl.DataFrame, codes: set[str]) -> pl.DataFrame:
    """The audit frame: rule rows, and override rows replacing them (rule `override`, source `override`).

    engine_rule / engine_decision keep what the rules said (null when the pair was not a candidate).
    """
    audit = scored.rename({"rule": "engine_rule", "decision": "engine_decision"}).join(
        overrides, on=["outlet_code_a", "outlet_code_b"], how="full", coalesce=True
    )
    by_person = pl.col("decided_by").is_not_null() | pl.col("decision").is_not_null()
    unknown = ~(pl.col("outlet_code_a").is_in(codes) & pl.col("outlet_code_b").is_in(codes))
    return audit.with_columns(
        pl.when(by_person).then(pl.lit("override")).otherwise(pl.col("engine_rule")).alias("rule"),
        pl.when(by_person).then(pl.col("decision")).otherwise(pl.col("engine_decision")).alias("decision"),
        pl.when(by_person).then(pl.lit("override")).otherwise(pl.lit("rule")).alias("source"),
        pl.when(unknown).then(pl.lit("outlet code not in the master: not applied")).alias("note"),
    )


def mark_blocked(pairs: pl.DataFrame, blocked: dict[tuple[str, str], str]) -> pl.DataFrame:
    """Rule merges that a split override kept from joining: decision no_merge, note names the split."""
    if not blocked:
        return pairs
    frame = pl.DataFrame(
        [
            (a, b, f"merge not applied: {a} and {b} would join {c}, kept apart by a split")
            for (a, b), c in blocked.items()
        ],
        schema={"outlet_code_a": pl.String, "outlet_code_b": pl.String, "blocked_note": pl.String},
        orient="row",
    )
    joined = pairs.join(frame, on=["outlet_code_a", "outlet_code_b"], how="left")
    return joined.with_columns(
        pl.when(pl.col("blocked_note").is_not_null())
        .then(pl.lit("no_merge"))
        .otherwise(pl.col("decision"))
        .alias("decision"),
        pl.coalesce(pl.col("blocked_note"), pl.col("note")).alias("note"),
    ).drop("blocked_note")
