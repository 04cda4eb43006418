"""Candidate pairs: only outlets that share a block are ever compared, never the full cross product.

Blocks (a pair found by several keeps all their names in `blocks`):

* `town_beat`: same town and beat code;
* `phone`: same phone (last 10 digits);
* `gstin`: same GSTIN;
* `geo`: the same or a neighbouring cell of a ~150 m grid (latitude 0.00135 deg; longitude 0.0017 deg, which is
  at least 150 m everywhere south of 37.6 N), so any two outlets within 150 m of each other share a block;
  outlets with impossible GPS (missing, 0/0, outside India) are left out of it;
* `distributor_name`: same distributor and same first word of the normalised name.

A block with more than `max_block` members (a salesman's phone typed for every shop, a placeholder GSTIN) is
skipped and reported, so one bad key cannot blow up into millions of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ingest.core.rules import gps_impossible

CELL_LAT_DEG = 0.00135
CELL_LON_DEG = 0.0017
MAX_BLOCK = 500
PAIR_SCHEMA = {"outlet_code_a": pl.String, "outlet_code_b": pl.String, "blocks": pl.List(pl.String)}


@dataclass(frozen=True)
class Candidates:
    pairs: pl.DataFrame  # outlet_code_a < outlet_code_b, blocks (list of block names)
    skipped: pl.DataFrame  # block, key, members: blocks too large to compare


def _keyed(outlets: pl.DataFrame, key: pl.Expr) -> pl.DataFrame:
    return outlets.select(pl.col("outlet_code"), key.alias("key")).filter(pl.col("key").is_not_null())


def _pairs_on_key(left: pl.DataFrame, right: pl.DataFrame, block: str) -> pl.DataFrame:
    """(a, b, block) for every a in left and b in right sharing a key, with a < b."""
    joined = left.rename({"outlet_code": "outlet_code_a"}).join(
        right.rename({"outlet_code": "outlet_code_b"}), on="key", how="inner"
    )
    return (
        joined.filter(pl.col("outlet_code_a") < pl.col("outlet_code_b"))
        .select("outlet_code_a", "outlet_code_b", pl.lit(block).alias("block"))
        .unique()
    )


def _split_large(keyed: pl.DataFrame, block: str, max_block: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    sizes = keyed.group_by("key").agg(pl.len().alias("members"))
    large = sizes.filter(pl.col("members") > max_block)
    kept = keyed.join(large.select("key"), on="key", how="anti")
    skipped = large.select(pl.lit(block).alias("block"), pl.col("key").cast(pl.String), pl.col("members"))
    return kept, skipped


def _grid(outlets: pl.DataFrame) -> pl.DataFrame:
    located = outlets.filter(~gps_impossible())
    return located.select(
        pl.col("outlet_code"),
        (pl.col("latitude") / CELL_LAT_DEG).floor().cast(pl.Int64).alias("cell_lat"),
        (pl.col("longitude") / CELL_LON_DEG).floor().cast(pl.Int64).alias("cell_lon"),
    )


def _cell_key(lat: pl.Expr, lon: pl.Expr) -> pl.Expr:
    return pl.concat_str([lat.cast(pl.String), lon.cast(pl.String)], separator=":")


def _geo_pairs(outlets: pl.DataFrame, max_block: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    grid = _grid(outlets)
    own = grid.select(pl.col("outlet_code"), _cell_key(pl.col("cell_lat"), pl.col("cell_lon")).alias("key"))
    own, skipped = _split_large(own, "geo", max_block)
    kept = grid.join(own.select("outlet_code"), on="outlet_code", how="semi")
    offsets = pl.DataFrame({"d_lat": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "d_lon": [-1, 0, 1] * 3})
    around = kept.join(offsets, how="cross").select(
        pl.col("outlet_code"),
        _cell_key(pl.col("cell_lat") + pl.col("d_lat"), pl.col("cell_lon") + pl.col("d_lon")).alias("key"),
    )
    return _pairs_on_key(own, around, "geo"), skipped


def _first_word(column: str) -> pl.Expr:
    return pl.col(column).str.split(" ").list.first()


def block_keys() -> dict[str, pl.Expr]:
    """The exact-key blocks: name -> key expression (null = not in the block)."""
    return {
        "town_beat": pl.concat_str([pl.col("town").str.to_lowercase(), pl.col("beat_code")], separator="|"),
        "phone": pl.col("phone_key"),
        "gstin": pl.col("gstin_key"),
        "distributor_name": pl.concat_str([pl.col("distributor_code"), _first_word("name_key")], separator="|"),
    }


def candidate_pairs(outlets: pl.DataFrame, max_block: int = MAX_BLOCK) -> Candidates:
    """Candidate pairs of a normalised master (see `normalise.normalise_outlets`)."""
    found: list[pl.DataFrame] = []
    skipped: list[pl.DataFrame] = []
    for block, key in block_keys().items():
        keyed, too_large = _split_large(_keyed(outlets, key), block, max_block)
        found.append(_pairs_on_key(keyed, keyed, block))
        skipped.append(too_large)
    geo, too_large = _geo_pairs(outlets, max_block)
    found.append(geo)
    skipped.append(too_large)
    pairs = (
        pl.concat(found)
        .group_by("outlet_code_a", "outlet_code_b")
        .agg(pl.col("block").unique().sort().alias("blocks"))
        .sort("outlet_code_a", "outlet_code_b")
    )
    return Candidates(pairs=pairs.cast(PAIR_SCHEMA), skipped=pl.concat(skipped))  # type: ignore[arg-type]
