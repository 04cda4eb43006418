"""Outlet de-duplication on a generated network: pairwise precision and recall of `match_outlets` against the
planted duplicate outlets (truth/problems.json, problem `duplicate_outlet`), the pairs compared against the full
cross product, and the time.

Two runs on the same master: as generated (a duplicate record always keeps the shop's phone), and with the phone
blanked on 30% of the duplicate records, so that the name + GPS rule has to find them.

Targets: precision >= 0.98 and recall >= 0.95 in both runs.
Knobs: BENCH_OUTLET_SEED (default 11), BENCH_OUTLETS (default 10000).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from itertools import combinations
from pathlib import Path

import polars as pl

from generator import NetworkConfig, generate
from sellthrough.outlets import OutletMatchResult, match_outlets

SEED = int(os.environ.get("BENCH_OUTLET_SEED", "11"))
OUTLETS = int(os.environ.get("BENCH_OUTLETS", "10000"))
PRECISION_TARGET = 0.98
RECALL_TARGET = 0.95
PHONELESS_SHARE = 0.3

Pair = tuple[str, str]


def planted_pairs(data_dir: Path) -> set[Pair]:
    problems = json.loads((data_dir / "truth" / "problems.json").read_text())
    return {(min(p["outlet_codes"]), max(p["outlet_codes"])) for p in problems if p["problem"] == "duplicate_outlet"}


def predicted_pairs(result: OutletMatchResult) -> set[Pair]:
    """Every pair of outlets that share a master_outlet_id (the transitive closure of the merges)."""
    members = result.clusters.group_by("master_outlet_id").agg(pl.col("outlet_code").sort().alias("codes"))
    return {pair for codes in members["codes"].to_list() for pair in combinations(codes, 2)}


def without_phones(outlets: pl.DataFrame, truth: set[Pair], share: float) -> pl.DataFrame:
    duplicates = sorted(b for _, b in truth)
    chosen = random.Random(SEED).sample(duplicates, round(len(duplicates) * share))
    blank = pl.col("outlet_code").is_in(chosen)
    return outlets.with_columns(pl.when(blank).then(None).otherwise(pl.col("phone")).alias("phone"))


def report(label: str, outlets: pl.DataFrame, truth: set[Pair]) -> bool:
    started = time.perf_counter()
    result = match_outlets(outlets)
    seconds = time.perf_counter() - started
    predicted = predicted_pairs(result)
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    compared, cross = result.stats["candidate_pairs"], result.stats["cross_product_pairs"]
    print(f"{label}:")
    print(f"  planted pairs {len(truth):,}, predicted {len(predicted):,}, found {hits:,}")
    print(
        f"  precision {precision:.4f} (target >= {PRECISION_TARGET}), recall {recall:.4f} (target >= {RECALL_TARGET})"
    )
    print(f"  pairs compared {compared:,} of {cross:,} in the cross product: {compared / cross:.4%} of the baseline")
    print(f"  match_outlets {seconds:.2f} s for {result.stats['outlets']:,} outlets")
    return precision >= PRECISION_TARGET and recall >= RECALL_TARGET


def main() -> None:
    config = NetworkConfig(seed=SEED, distributors=20, outlets=OUTLETS, skus=6, days=28)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        print(f"generating a network: seed {SEED}, {OUTLETS:,} outlets ...", flush=True)
        generate(data_dir, config)
        truth = planted_pairs(data_dir)
        outlets = pl.read_csv(data_dir / "inbox" / "masters" / "BRAND" / "outlets.csv", infer_schema_length=0)
    ok = report("as generated", outlets, truth)
    share = f"{PHONELESS_SHARE:.0%}"
    ok &= report(
        f"{share} of duplicate records without a phone", without_phones(outlets, truth, PHONELESS_SHARE), truth
    )
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
