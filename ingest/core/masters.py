"""The brand's masters as the readers need them: SKU lookup by code, name, EAN and per-distributor alias."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import polars as pl

from ingest.core.contract import SUGGESTION
from ingest.core.lake import Lake
from ingest.core.name_match import SkuMatcher
from ingest.core.reviews import ReviewStore
from ingest.core.rows import RowCheck, Subject, quote
from ingest.core.units import SKU_UNIT_COLUMNS, declared_units, sku_packs
from ingest.core.values import name_key

SKU_COLUMNS = {
    "sku_code": pl.String,
    "sku_name": pl.String,
    "units_per_case": pl.Int64,
    "ean": pl.String,
    "brand": pl.String,
    "pack_size": pl.String,
}
ALIAS_COLUMNS = {"distributor_code": pl.String, "alias": pl.String, "sku_code": pl.String}
OUTLET_COLUMNS = {
    "outlet_code": pl.String,
    "outlet_name": pl.String,
    "distributor_code": pl.String,
    "phone": pl.String,
}
OUTLET_ALIAS_COLUMNS = {"distributor_code": pl.String, "alias": pl.String, "outlet_code": pl.String}
BEAT_COLUMNS = {"beat_code": pl.String, "distributor_code": pl.String}
DISTRIBUTOR_COLUMNS = {"distributor_code": pl.String, "region": pl.String, "state": pl.String}
CHAIN_STORE_COLUMNS = {"chain_code": pl.String, "store_code": pl.String, "outlet_code": pl.String}
CHAT_SENDER_COLUMNS = {
    "distributor_code": pl.String,
    "sender_key": pl.String,
    "rep_code": pl.String,
    "outlet_code": pl.String,
}
REP_COLUMNS = {"rep_code": pl.String, "distributor_code": pl.String}
SKU_GROUP_COLUMNS = {"sku_group": pl.String, "sku_code": pl.String}
NO_SKU_MASTER = "no SKU master is loaded yet: load masters/skus.csv first, then re-send this file"
CHAIN_PRODUCT_COLUMNS = {"chain_code": pl.String, "product_code": pl.String, "sku_code": pl.String}


@dataclass
class MasterData:
    skus: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SKU_COLUMNS))
    aliases: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ALIAS_COLUMNS))
    outlets: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=OUTLET_COLUMNS))  # for chat orders
    # outlet names a reviewer confirmed (data/reviews/outlet_aliases.csv), for chat orders
    outlet_aliases: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=OUTLET_ALIAS_COLUMNS))
    chain_stores: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CHAIN_STORE_COLUMNS))  # POS
    # the hierarchy a master row must fit (ingest/masters/hierarchy.py)
    beats: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=BEAT_COLUMNS))
    distributors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DISTRIBUTOR_COLUMNS))
    # who writes in each distributor's order chats (a sender or a whole group, by keyed hash): chat order context
    chat_senders: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CHAT_SENDER_COLUMNS))
    reps: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=REP_COLUMNS))  # targets' references
    sku_groups: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SKU_GROUP_COLUMNS))
    # a chain's own product codes -> SKU, for POS files without EANs (masters/chain_products)
    chain_products: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CHAIN_PRODUCT_COLUMNS))
    # what one unit of a SKU is in pieces, where the brand declares it (masters/sku_units.csv; ingest/core/units)
    sku_units: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SKU_UNIT_COLUMNS))

    def __post_init__(self) -> None:
        global_keys = pl.concat(
            [self.skus.select(key=name_key(pl.col(c)), sku_code="sku_code") for c in ("sku_code", "sku_name", "ean")]
        )
        self._global = global_keys.drop_nulls("key").unique("key", keep="first")
        self._aliases = self.aliases.select(
            "distributor_code", key=name_key(pl.col("alias")), sku_code="sku_code"
        ).unique(["distributor_code", "key"], keep="last")
        self._units = self.skus.select("sku_code", "units_per_case")
        self.packs = sku_packs(self.skus)  # grams / millilitres in one piece, from pack_size
        self.declared_units = declared_units(self.sku_units)
        self._names = dict(zip(self.skus["sku_code"].to_list(), self.skus["sku_name"].to_list(), strict=True))
        self._choices = {code: f"{code} {name}" for code, name in self._names.items()}

    @classmethod
    def from_lake(
        cls, lake: Lake, reviews: ReviewStore | None = None, *, loaded_before: datetime | None = None
    ) -> MasterData:
        """The latest loaded snapshot of the SKU master, the alias table and the outlet master, plus the
        aliases a person confirmed on the review queue (`<data dir>/reviews/`, beside the lake by default).
        A confirmed alias comes after the brand's, so for the same distributor and name the reviewer's wins.
        With `loaded_before` (naive UTC), the masters as they were when a load of that time read its file."""
        ledger = lake.ledger().filter(pl.col("status") == "loaded")
        if loaded_before is not None:
            ledger = ledger.filter(pl.col("loaded_at") < loaded_before)

        def latest(table: str, schema: dict) -> pl.DataFrame:
            loads = ledger.filter(pl.col("table_name") == table).sort("received_at", "load_id")
            if loads.height == 0:
                return pl.DataFrame(schema=schema)
            frame = lake.read_table(table, [loads["load_id"][-1]])
            return frame.select([pl.col(c).cast(t) for c, t in schema.items()])

        store = reviews or ReviewStore.beside(lake.root)
        confirmed = store.sku_aliases().select([pl.col(c).cast(t) for c, t in ALIAS_COLUMNS.items()])
        outlet_aliases = store.outlet_aliases().select([pl.col(c).cast(t) for c, t in OUTLET_ALIAS_COLUMNS.items()])
        return cls(
            latest("masters_skus", SKU_COLUMNS),
            pl.concat([latest("masters_sku_aliases", ALIAS_COLUMNS), confirmed]),
            latest("masters_outlets", OUTLET_COLUMNS),
            outlet_aliases,
            latest("masters_chain_stores", CHAIN_STORE_COLUMNS),
            latest("masters_beats", BEAT_COLUMNS),
            latest("masters_distributors", DISTRIBUTOR_COLUMNS),
            chat_senders=latest("masters_chat_senders", CHAT_SENDER_COLUMNS),
            reps=latest("masters_reps", REP_COLUMNS),
            sku_groups=latest("masters_sku_groups", SKU_GROUP_COLUMNS),
            chain_products=latest("masters_chain_products", CHAIN_PRODUCT_COLUMNS),
            sku_units=latest("masters_sku_units", SKU_UNIT_COLUMNS),
        )

    def unknown_sku_check(
        self, item: pl.Expr, distributor_code: str, suggestions: pl.Expr | None = None, hint: str | None = None
    ) -> RowCheck:
        """A line whose item maps to no SKU (`sku_code` null) is quarantined `unknown_sku`, the one way every reader
        writes it: a sentence saying to add an alias for the distributor (with the closest SKUs, else `hint`), and
        the structured fields the review queue reads: subject (the item as written), subject_kind 'sku' and
        suggestions (`suggestions`, the `_suggestions` column `with_suggestions` adds). Where no SKU master was
        ever loaded the sentence says so instead, with no subject (an alias would not fix it)."""
        unmapped = pl.col("sku_code").is_null()
        if not self.has_skus:
            return RowCheck(
                "unknown_sku", unmapped, pl.format("unknown SKU {}: {}", quote(item), pl.lit(NO_SKU_MASTER))
            )
        sentence = pl.format("unknown SKU {}: add an alias for distributor {}", quote(item), pl.lit(distributor_code))
        if suggestions is not None:
            sentence = pl.format("{} ({})", sentence, closest_text(suggestions))
        elif hint:
            sentence = pl.format("{} ({})", sentence, pl.lit(hint))
        return RowCheck("unknown_sku", unmapped, sentence, Subject(item, "sku", suggestions))

    def with_suggestions(self, frame: pl.DataFrame, item_column: str, limit: int = 3) -> pl.DataFrame:
        """`frame` with `_suggestions`: for each row whose item maps to no SKU, the closest SKUs with their scores
        (List(SUGGESTION), best first; `suggest` runs once per distinct item)."""
        unmatched = frame.filter(pl.col("sku_code").is_null() & pl.col(item_column).is_not_null())
        items = unmatched[item_column].unique().to_list() if self._choices else []
        found = [[{"code": c, "name": n, "score": score} for c, n, score in self.suggest(v, limit)] for v in items]
        table = pl.DataFrame(
            {item_column: items, "_suggestions": found},
            schema={item_column: pl.String, "_suggestions": pl.List(SUGGESTION)},
        )
        return frame.join(table, on=item_column, how="left", nulls_equal=True)

    @property
    def has_skus(self) -> bool:
        """False only where no SKU master was ever loaded (a preview on a new machine): then SKUs stay unmapped
        instead of every line being quarantined."""
        return self.skus.height > 0

    def resolve(self, frame: pl.DataFrame, distributor_code: str, item_columns: list[str]) -> pl.DataFrame:
        """Add `sku_code` and `units_per_case`: the first item column that resolves, alias before master.

        Resolution runs over the distinct item values only, then joins back (files repeat a few items)."""
        aliases = self._aliases.filter(pl.col("distributor_code") == distributor_code).drop("distributor_code")
        present = [c for c in item_columns if c in frame.columns]
        if not present:
            return frame.with_columns(sku_code=pl.lit(None, pl.String), units_per_case=pl.lit(None, pl.Int64))
        items = frame.select(present).unique()
        resolved: pl.Expr = pl.lit(None, pl.String)
        for i, column in enumerate(present):
            key = f"__key{i}"
            items = items.with_columns(name_key(pl.col(column)).alias(key))
            items = items.join(aliases.rename({"sku_code": f"__alias{i}"}), left_on=key, right_on="key", how="left")
            items = items.join(
                self._global.rename({"sku_code": f"__global{i}"}), left_on=key, right_on="key", how="left"
            )
            resolved = pl.coalesce(resolved, pl.col(f"__alias{i}"), pl.col(f"__global{i}"))
        items = items.with_columns(sku_code=resolved).select(*present, "sku_code")
        items = items.join(self._units, on="sku_code", how="left")
        frame = frame.drop("sku_code", "units_per_case", strict=False)
        return frame.join(items, on=present, how="left", nulls_equal=True)

    @cached_property
    def _matcher(self) -> SkuMatcher:
        aliases = self.aliases.select("distributor_code", "alias", "sku_code").rows()
        return SkuMatcher.build(self._names.items(), aliases)

    def suggest(
        self, text: str | None, limit: int = 3, distributor_code: str | None = None
    ) -> list[tuple[str, str, float]]:
        """(sku_code, sku_name, score 0-100) of the closest SKUs, best first (`ingest/core/name_match.py`); with a
        distributor, its aliases (the brand's and the confirmed ones) count as names of their SKUs."""
        return [
            (code, self._names[code], score)
            for code, score in self._matcher.suggest(text, limit, distributor_code=distributor_code)
        ]


def closest_text(suggestions: pl.Expr) -> pl.Expr:
    """The suggestions (a List(SUGGESTION) expression) for the sentence: 'closest: S1 Gluco 1 kg (90); ...'."""
    each = pl.format(
        "{} {} ({})",
        pl.element().struct.field("code"),
        pl.element().struct.field("name"),
        pl.element().struct.field("score").round(0).cast(pl.Int64),
    )
    listed = suggestions.list.eval(each).list.join("; ")
    return pl.when(suggestions.list.len() > 0).then(pl.format("closest: {}", listed)).otherwise(pl.lit("closest: none"))
