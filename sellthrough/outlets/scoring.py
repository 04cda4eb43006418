"""Features and a decision per candidate pair.

Features: `name_token_set` and `name_ratio` (rapidfuzz token_set_ratio and ratio on the normalised name keys,
0-100), `name_plain_set` (token_set_ratio on the names with the shop words kept), `distance_m` (haversine, null
when either GPS is impossible), `phone_equal`, `gstin_equal` (null when either side is missing), and
`gstin_both_valid`.

Rules, the first that fires decides (thresholds in `Thresholds`):

1. `gstin_equal`: same GSTIN and not more than 1 km apart (or a GPS unknown) -> merge;
   `gstin_equal_far_apart`: same GSTIN, further apart: branches of one business -> no merge;
2. `gstin_differs`: two different GSTINs that both pass the checksum: two legal entities -> no merge;
3. `phone_equal_name`: same phone and name_token_set >= 70 -> merge;
4. `name_near`: name_token_set >= 90, name_plain_set >= 80, within 150 m, and the phones do not contradict
   (one is missing) -> merge. The shop words must agree too, so "Sharma Traders" next to "Sharma Kirana Store"
   stays apart; names repeat so often in Indian retail ("Laxmi Stores") that a similar name nearby with a
   different phone is not enough: `name_near_phone_differs` -> no merge (a pair worth a person's review);
5. otherwise no merge, named for the strongest evidence that did not suffice: `phone_equal_name_differs`,
   `near_name_differs`, `below_thresholds`.

`score` (0-1) weighs the evidence, whichever rule fired: 0.4 x name_token_set/100 + 0.3 x phone_equal
+ 0.3 x gstin_equal + 0.3 x proximity (1 at 0 m, 0 from 300 m), capped at 1. Merges are applied in descending
score order when clusters are built.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz, process

from ingest.core.rules import gps_impossible, gstin_is_valid

EARTH_RADIUS_M = 6_371_008.8
ATTRIBUTES = ("name_key", "name_plain", "phone_key", "gstin_key", "latitude", "longitude", "gps_ok", "gstin_ok")
FEATURES = ("name_token_set", "name_ratio", "name_plain_set", "distance_m", "phone_equal", "gstin_equal")


@dataclass(frozen=True)
class Thresholds:
    phone_name: float = 70.0
    near_name: float = 90.0
    near_plain_name: float = 80.0
    near_m: float = 150.0
    gstin_max_m: float = 1000.0
    proximity_zero_m: float = 300.0


def _attributes(outlets: pl.DataFrame) -> pl.DataFrame:
    return outlets.select(
        pl.col("outlet_code"),
        pl.col("name_key").fill_null(""),
        pl.col("name_plain").fill_null(""),
        pl.col("phone_key"),
        pl.col("gstin_key"),
        pl.col("latitude"),
        pl.col("longitude"),
        (~gps_impossible()).alias("gps_ok"),
        pl.col("gstin_key").map_elements(gstin_is_valid, return_dtype=pl.Boolean).fill_null(False).alias("gstin_ok"),
    )


def _side(attributes: pl.DataFrame, side: str) -> pl.DataFrame:
    return attributes.rename({c: f"{c}_{side}" for c in ("outlet_code", *ATTRIBUTES)})


def _similarity(a: pl.Series, b: pl.Series, scorer: object) -> pl.Series:
    if a.len() == 0:
        return pl.Series(dtype=pl.Float64)
    scores = process.cpdist(a.to_list(), b.to_list(), scorer=scorer, workers=-1)  # type: ignore[arg-type]
    return pl.Series(scores, dtype=pl.Float64)


def haversine_m(lat_a: pl.Expr, lon_a: pl.Expr, lat_b: pl.Expr, lon_b: pl.Expr) -> pl.Expr:
    """Great-circle distance in metres."""
    d_lat = (lat_b - lat_a).radians()
    d_lon = (lon_b - lon_a).radians()
    a = (d_lat / 2).sin() ** 2 + lat_a.radians().cos() * lat_b.radians().cos() * (d_lon / 2).sin() ** 2
    return 2 * EARTH_RADIUS_M * a.sqrt().arcsin()


def _equal(column: str) -> pl.Expr:
    a, b = pl.col(f"{column}_a"), pl.col(f"{column}_b")
    return pl.when(a.is_not_null() & b.is_not_null()).then(a == b).otherwise(None)


def pair_features(pairs: pl.DataFrame, outlets: pl.DataFrame) -> pl.DataFrame:
    """The candidate pairs with the feature columns (and gstin_both_valid) added."""
    attributes = _attributes(outlets)
    joined = pairs.join(_side(attributes, "a"), on="outlet_code_a", how="left").join(
        _side(attributes, "b"), on="outlet_code_b", how="left"
    )
    distance = haversine_m(pl.col("latitude_a"), pl.col("longitude_a"), pl.col("latitude_b"), pl.col("longitude_b"))
    return joined.with_columns(
        _similarity(joined["name_key_a"], joined["name_key_b"], fuzz.token_set_ratio).alias("name_token_set"),
        _similarity(joined["name_key_a"], joined["name_key_b"], fuzz.ratio).alias("name_ratio"),
        _similarity(joined["name_plain_a"], joined["name_plain_b"], fuzz.token_set_ratio).alias("name_plain_set"),
        pl.when(pl.col("gps_ok_a") & pl.col("gps_ok_b")).then(distance).otherwise(None).alias("distance_m"),
        _equal("phone_key").alias("phone_equal"),
        _equal("gstin_key").alias("gstin_equal"),
        (pl.col("gstin_ok_a") & pl.col("gstin_ok_b")).alias("gstin_both_valid"),
    ).select("outlet_code_a", "outlet_code_b", "blocks", *FEATURES, "gstin_both_valid")


def _rule(t: Thresholds) -> pl.Expr:
    phone, gstin = pl.col("phone_equal").fill_null(False), pl.col("gstin_equal").fill_null(False)
    distance, name = pl.col("distance_m"), pl.col("name_token_set")
    near = distance.is_not_null() & (distance <= t.near_m)
    near_named = near & (name >= t.near_name) & (pl.col("name_plain_set") >= t.near_plain_name)
    phone_differs = pl.col("phone_equal").is_not_null() & ~phone
    return (
        pl.when(gstin & (distance.is_null() | (distance <= t.gstin_max_m)))
        .then(pl.lit("gstin_equal"))
        .when(gstin)
        .then(pl.lit("gstin_equal_far_apart"))
        .when(pl.col("gstin_both_valid") & ~gstin)
        .then(pl.lit("gstin_differs"))
        .when(phone & (name >= t.phone_name))
        .then(pl.lit("phone_equal_name"))
        .when(near_named & ~phone_differs)
        .then(pl.lit("name_near"))
        .when(near_named)
        .then(pl.lit("name_near_phone_differs"))
        .when(phone)
        .then(pl.lit("phone_equal_name_differs"))
        .when(near)
        .then(pl.lit("near_name_differs"))
        .otherwise(pl.lit("below_thresholds"))
    )


MERGE_RULES = ("gstin_equal", "phone_equal_name", "name_near")


def _score(t: Thresholds) -> pl.Expr:
    proximity = (1 - pl.col("distance_m") / t.proximity_zero_m).clip(0, 1).fill_null(0)
    evidence = (
        0.4 * pl.col("name_token_set") / 100
        + 0.3 * pl.col("phone_equal").fill_null(False).cast(pl.Float64)
        + 0.3 * pl.col("gstin_equal").fill_null(False).cast(pl.Float64)
        + 0.3 * proximity
    )
    return evidence.clip(0, 1).round(4)


def decide(features: pl.DataFrame, thresholds: Thresholds | None = None) -> pl.DataFrame:
    """Add rule, decision (`merge` | `no_merge`) and score to a `pair_features` frame."""
    t = thresholds or Thresholds()
    return features.with_columns(_rule(t).alias("rule"), _score(t).alias("score")).with_columns(
        pl.when(pl.col("rule").is_in(MERGE_RULES)).then(pl.lit("merge")).otherwise(pl.lit("no_merge")).alias("decision")
    )


def score_pairs(pairs: pl.DataFrame, outlets: pl.DataFrame, thresholds: Thresholds | None = None) -> pl.DataFrame:
    """Candidate pairs in, features + rule + decision + score out."""
    return decide(pair_features(pairs, outlets), thresholds)
