"""Hierarchy checks on a master snapshot: every reference points at a row of the latest loaded master it names.

- outlets: the distributor exists; the beat exists and is a beat of the outlet's own distributor (its territory);
- beats and reps: the distributor exists;
- distributors: the parent is a distributor of the same file, and a state lies in one region (the region most of
  the file's distributors in that state give; a row disagreeing with a clear majority is wrong);
- chain_stores: the outlet exists; chain_products: the SKU exists;
- sku_groups: the SKU exists; schemes: every distributor that runs it exists;
- targets: the distributor exists; the rep and the beat, when named, exist and are the distributor's; the brand is a
  brand of the SKU master; the SKU group is in the SKU groups master.
A check runs only where the master it needs was loaded (a first load of outlets alone is not checked).
Columns are the reader's typed ones (`_<column>`).
"""

from __future__ import annotations

import polars as pl

from ingest.core.masters import MasterData
from ingest.core.rows import RowCheck, quote

ENTITY_RANK = {
    "distributors": 0,
    "skus": 0,
    "beats": 1,
    "reps": 1,
    "schemes": 1,
    "sku_groups": 1,
    "outlets": 2,
    "sku_aliases": 2,
    "targets": 2,
    "sku_units": 2,
}
LAST_RANK = 3  # chain_stores and anything new: after outlets


def entity_rank(entity: str) -> int:
    return ENTITY_RANK.get(entity, LAST_RANK)


def with_hierarchy(frame: pl.DataFrame, entity: str, masters: MasterData) -> tuple[pl.DataFrame, list[RowCheck]]:
    """The frame with the looked-up references, and the checks over them."""
    if entity in ("outlets", "beats", "reps", "targets") and masters.distributors.height:
        frame, checks = _distributor_exists(frame, masters, entity)
    else:
        checks = []
    if entity == "outlets" and masters.beats.height:
        beats = masters.beats.select(_beat_code="beat_code", _beat_distributor="distributor_code", _beat_known=True)
        frame = frame.join(beats.unique("_beat_code"), on="_beat_code", how="left")
        checks += [
            RowCheck(
                "unknown_beat",
                pl.col("_beat_code").is_not_null() & pl.col("_beat_known").is_null(),
                pl.format("beat {} is not in the beats master: add the beat first", quote(pl.col("_beat_code"))),
            ),
            RowCheck(
                "broken_hierarchy",
                pl.col("_beat_distributor") != pl.col("_distributor_code"),
                pl.format(
                    "beat {} belongs to distributor {}, not to the outlet's distributor {}: fix one of them",
                    pl.col("_beat_code"),
                    pl.col("_beat_distributor"),
                    pl.col("_distributor_code"),
                ),
            ),
        ]
    if entity == "distributors":
        frame, checks = _distributor_tree(frame)
    if entity == "chain_stores" and masters.outlets.height:
        message = pl.format("outlet {} is not in the outlets master", quote(pl.col("_outlet_code")))
        frame, more = _known(frame, masters.outlets.select("outlet_code"), "outlet_code", "unknown_outlet", message)
        checks += more
    if entity == "chain_products" and masters.skus.height:
        message = pl.format(
            "SKU {} of product code {} is not in the SKU master",
            quote(pl.col("_sku_code")),
            quote(pl.col("_product_code")),
        )
        frame, more = _known(frame, masters.skus.select("sku_code"), "sku_code", "unknown_sku", message)
        checks += more
    if entity == "targets":
        frame, more = _target_references(frame, masters)
        checks += more
    if entity == "sku_groups" and masters.skus.height:
        frame, more = _known(frame, masters.skus.select("sku_code"), "sku_code", "unknown_sku", "the SKU master")
        checks += more
    if entity == "schemes" and masters.distributors.height:
        known = masters.distributors["distributor_code"].to_list()
        listed = pl.col("_distributor_codes").fill_null("").str.split(";").list.eval(pl.element().str.strip_chars())
        unknown = listed.list.eval(pl.element().filter((pl.element() != "") & ~pl.element().is_in(known)))
        frame = frame.with_columns(_unknown_distributors=unknown.list.join(", "))
        checks.append(
            RowCheck(
                "unknown_distributor",
                pl.col("_unknown_distributors") != "",
                pl.format(
                    "distributor(s) {} of this scheme are not in the distributors master", "_unknown_distributors"
                ),
            )
        )
    return frame, checks


def _known(
    frame: pl.DataFrame, master: pl.DataFrame, column: str, code: str, where: str | pl.Expr, owner: str | None = None
) -> tuple[pl.DataFrame, list[RowCheck]]:
    """`column` (when given) is a key of `master`; with `owner`, the master row's distributor is the row's.
    `where` names the master ("<column> <value> is not in <where>") or is the whole message."""
    keys = master.select(pl.col(column).alias(f"_{column}"), pl.lit(True).alias(f"_{column}_known"))
    if owner:
        keys = keys.with_columns(master[owner].alias(f"_{column}_owner"))
    frame = frame.join(keys.unique(f"_{column}"), on=f"_{column}", how="left")
    value = pl.col(f"_{column}")
    checks = [
        RowCheck(
            code,
            value.is_not_null() & pl.col(f"_{column}_known").is_null(),
            where
            if isinstance(where, pl.Expr)
            else pl.format("{} {} is not in {}", pl.lit(column), quote(value), pl.lit(where)),
        )
    ]
    if owner:
        checks.append(
            RowCheck(
                "broken_hierarchy",
                pl.col(f"_{column}_owner") != pl.col("_distributor_code"),
                pl.format(
                    "{} {} belongs to distributor {}, not to this row's distributor {}: fix one of them",
                    pl.lit(column),
                    value,
                    pl.col(f"_{column}_owner"),
                    pl.col("_distributor_code"),
                ),
            )
        )
    return frame, checks


def _target_references(frame: pl.DataFrame, masters: MasterData) -> tuple[pl.DataFrame, list[RowCheck]]:
    checks: list[RowCheck] = []
    if masters.reps.height:
        frame, more = _known(frame, masters.reps, "rep_code", "unknown_rep", "the reps master", "distributor_code")
        checks += more
    if masters.beats.height:
        frame, more = _known(frame, masters.beats, "beat_code", "unknown_beat", "the beats master", "distributor_code")
        checks += more
    if "brand" in masters.skus.columns and masters.skus["brand"].drop_nulls().len():
        brands = masters.skus.select("brand").drop_nulls().unique()
        frame, more = _known(frame, brands, "brand", "unknown_brand", "the SKU master's brands")
        checks += more
    if masters.sku_groups.height:
        groups = masters.sku_groups.select("sku_group").unique()
        frame, more = _known(frame, groups, "sku_group", "unknown_sku_group", "the SKU groups master")
        checks += more
    return frame, checks


def _distributor_exists(frame: pl.DataFrame, masters: MasterData, entity: str) -> tuple[pl.DataFrame, list[RowCheck]]:
    known = masters.distributors.select(_distributor_code="distributor_code", _distributor_known=True)
    frame = frame.join(known.unique("_distributor_code"), on="_distributor_code", how="left")
    check = RowCheck(
        "unknown_distributor",
        pl.col("_distributor_code").is_not_null() & pl.col("_distributor_known").is_null(),
        pl.format(
            "distributor {} of this {} row is not in the distributors master",
            quote(pl.col("_distributor_code")),
            pl.lit(entity.removesuffix("s")),
        ),
    )
    return frame, [check]


def _distributor_tree(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[RowCheck]]:
    codes = frame["_distributor_code"].drop_nulls().unique().to_list()
    votes = (
        frame.drop_nulls(["_state", "_region"])
        .group_by("_state", "_region")
        .len()
        .sort("len", "_region", descending=[True, False])
    )
    majority = votes.group_by("_state", maintain_order=True).agg(
        _state_region=pl.col("_region").first(),
        _clear=pl.col("len").first() > pl.col("len").slice(1, 1).first().fill_null(0),
    )
    frame = frame.join(majority, on="_state", how="left")
    checks = [
        RowCheck(
            "broken_hierarchy",
            pl.col("_parent_distributor_code").is_not_null() & ~pl.col("_parent_distributor_code").is_in(codes),
            pl.format(
                "parent distributor {} is not a distributor of this master", quote(pl.col("_parent_distributor_code"))
            ),
        ),
        RowCheck(
            "broken_hierarchy",
            pl.col("_clear") & (pl.col("_region") != pl.col("_state_region")),
            pl.format(
                "state {} lies in region {} for the other distributors, not {}",
                pl.col("_state"),
                pl.col("_state_region"),
                pl.col("_region"),
            ),
        ),
    ]
    return frame, checks
