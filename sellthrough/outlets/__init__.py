"""One outlet, one id: de-duplication of the outlet master (pure Python + Polars).

    from sellthrough.outlets import match_outlets
    result = match_outlets(outlets, previous=last_run_clusters, overrides=person_decisions)
    result.clusters   # outlet_code -> master_outlet_id
    result.golden     # one golden record per master_outlet_id
    result.pairs      # every compared pair: features, rule, score, decision, source (rule | override)

Steps: `normalise` (name keys, phone, GSTIN) -> `blocking` (candidate pairs from shared blocks) -> `scoring`
(features and a rule per pair) -> `clusters` (overrides, union-find, stable ids, golden records). `validation`
flags invalid GSTINs, impossible GPS and phones that are not Indian mobiles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from sellthrough.outlets.blocking import candidate_pairs
from sellthrough.outlets.clusters import (
    apply_overrides,
    assign_ids,
    build_clusters,
    clean_overrides,
    golden_records,
    id_changes,
    mark_blocked,
    override_candidates,
)
from sellthrough.outlets.normalise import normalise_outlets
from sellthrough.outlets.scoring import FEATURES, Thresholds, score_pairs
from sellthrough.outlets.validation import flag_outlets

PAIR_COLUMNS = (
    "outlet_code_a",
    "outlet_code_b",
    "rule",
    "score",
    "features",
    "decision",
    "source",
    "engine_rule",
    "engine_decision",
    "reason",
    "decided_by",
    "note",
    "blocks",
)


@dataclass(frozen=True)
class OutletMatchResult:
    pairs: pl.DataFrame  # the audit: one row per compared or overridden pair (PAIR_COLUMNS)
    clusters: pl.DataFrame  # outlet_code, master_outlet_id, members, is_golden
    golden: pl.DataFrame  # one row per master_outlet_id
    flags: pl.DataFrame  # outlet_code, gstin_invalid, gps_impossible, phone_invalid, any_flag
    id_changes: pl.DataFrame  # outlet_code, master_outlet_id, previous_master_outlet_id
    skipped_blocks: pl.DataFrame  # block, key, members: blocks too large to compare
    stats: dict[str, int] = field(default_factory=dict)


def _check_codes(outlets: pl.DataFrame) -> list[str]:
    codes = outlets["outlet_code"]
    if codes.null_count():
        raise ValueError("outlet_code must not be null")
    duplicated = codes.filter(codes.is_duplicated()).unique().sort().to_list()
    if duplicated:
        raise ValueError(f"outlet_code must be unique; repeated: {duplicated[:10]}")
    return sorted(codes.to_list())


def _audit(pairs: pl.DataFrame) -> pl.DataFrame:
    return (
        pairs.with_columns(pl.struct(list(FEATURES)).alias("features"))
        .select(PAIR_COLUMNS)
        .sort("outlet_code_a", "outlet_code_b")
    )


def _clusters_frame(assignment: pl.DataFrame, golden: pl.DataFrame) -> pl.DataFrame:
    survivors = golden.select(pl.col("golden_outlet_code").alias("outlet_code"), pl.lit(True).alias("is_golden"))
    return (
        assignment.join(golden.select("master_outlet_id", "members"), on="master_outlet_id")
        .join(survivors, on="outlet_code", how="left")
        .with_columns(pl.col("is_golden").fill_null(False).alias("is_golden"))
        .sort("outlet_code")
    )


def match_outlets(
    outlets: pl.DataFrame,
    previous: pl.DataFrame | None = None,
    overrides: pl.DataFrame | None = None,
    thresholds: Thresholds | None = None,
) -> OutletMatchResult:
    """Match the outlet master (masters_outlets columns; outlet_code and outlet_name required).

    previous: the last run's clusters (outlet_code, master_outlet_id), so existing clusters keep their ids.
    overrides: a person's decisions (outlet_code_a, outlet_code_b, decision merge|split, reason, decided_by).
    """
    normalised = normalise_outlets(outlets)
    codes = _check_codes(normalised)
    known = set(codes)
    flags = flag_outlets(normalised)
    candidates = candidate_pairs(normalised)
    person = clean_overrides(overrides)
    to_score = pl.concat([candidates.pairs, override_candidates(person, known)]).unique(
        subset=["outlet_code_a", "outlet_code_b"], keep="first", maintain_order=True
    )
    pairs = apply_overrides(score_pairs(to_score, normalised, thresholds), person, known)
    roots, blocked = build_clusters(codes, pairs)
    pairs = _audit(mark_blocked(pairs, blocked))
    assignment = assign_ids(roots, previous)
    golden = golden_records(normalised, assignment, flags)
    stats = {
        "outlets": len(codes),
        "candidate_pairs": candidates.pairs.height,
        "cross_product_pairs": len(codes) * (len(codes) - 1) // 2,
        "merge_pairs": pairs.filter(pl.col("decision") == "merge").height,
        "clusters": golden.height,
    }
    return OutletMatchResult(
        pairs=pairs,
        clusters=_clusters_frame(assignment, golden),
        golden=golden,
        flags=flags,
        id_changes=id_changes(assignment, previous),
        skipped_blocks=candidates.skipped,
        stats=stats,
    )


__all__ = ["OutletMatchResult", "Thresholds", "match_outlets"]
