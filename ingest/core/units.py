"""Units of measure: a billed quantity in the unit a distributor wrote ("50 KG", "2 Box", "670 Pair") to the
brand's pieces, through what the SKU master knows.

Order (the first that knows the unit wins):
1. the SKU master's units table (`masters/sku_units.csv`: sku_code, unit, pieces_per_unit), per SKU;
2. piece names (Pcs, Nos, Number, Unit, Pkt, Btl, ...): 1 piece; dozen: 12;
3. case names (Case, Cs, Ctn, Carton, Box, Peti, ...): the SKU's units_per_case;
4. weight (Kg, g, Gm, Qtl, ...) and volume (Ltr, L, ml, ...): through the SKU's pack size (`100 g`, `1 kg`,
   `500 ml`, `12 x 50 g`): 7.5 KG of a 500 g pack is 15 pieces;
5. no unit written: pieces (a plain quantity column).
Anything else (Pair, Bag, Set, or a weight for a SKU without a pack size) is unknown: the caller keeps the line
with its unit and flags it, never counting it as pieces.

`basis` says which rule converted: countable bases (`declared`, `piece`, `case`, `unitless`) must give whole
pieces (2.5 Pcs is a wrong quantity); `weight` and `volume` may not (7.3 KG of a 1 kg pack is a loose sale).
"""

from __future__ import annotations

import re

import polars as pl


def _with_plurals(*names: str) -> tuple[str, ...]:
    return tuple(n for name in names for n in (name, name + ("es" if name.endswith(("ch", "x")) else "s")))


PIECE_NAMES = (
    *_with_plurals("pc", "pce", "piece", "number", "unit", "pkt", "packet", "pack", "btl", "bottle", "pouch"),
    *_with_plurals("sachet", "tin", "jar", "can", "tube", "bar"),
    *("no", "nos", "num", "ea", "each"),
)
DOZEN_NAMES = (*_with_plurals("dozen"), "doz", "dz")
CASE_NAMES = (*_with_plurals("case", "ctn", "carton", "box", "bx", "shipper"), "cs", "peti", "cbb")
GRAMS = {
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"), 1000.0),
    **dict.fromkeys(("g", "gm", "gms", "gram", "grams", "gr", "grm", "grms"), 1.0),
    **dict.fromkeys(("qtl", "qtls", "quintal", "quintals"), 100_000.0),
    **dict.fromkeys(("ton", "tons", "tonne", "tonnes"), 1_000_000.0),
    "mg": 0.001,
}
MILLILITRES = {
    **dict.fromkeys(("l", "lt", "ltr", "ltrs", "litre", "litres", "liter", "liters"), 1000.0),
    **dict.fromkeys(("ml", "mls", "millilitre", "millilitres", "milliliter", "milliliters"), 1.0),
    "kl": 1_000_000.0,
}
COUNTABLE_BASES = ("declared", "piece", "case", "unitless")
SKU_UNIT_COLUMNS = {"sku_code": pl.String, "unit": pl.String, "pieces_per_unit": pl.Float64}

_PACK = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*[x×*]\s*)?(\d+(?:\.\d+)?)\s*([a-z]+)",
    re.IGNORECASE,
)


def unit_key(expr: pl.Expr) -> pl.Expr:
    """`" Kg. "` -> `kg`, `"Nos"` -> `nos`: lower case, no dots or spaces; null when nothing is left."""
    key = expr.cast(pl.String).str.to_lowercase().str.replace_all(r"[\s.]", "")
    return pl.when(key != "").then(key)


def _key(text: str) -> str:
    return re.sub(r"[\s.]", "", text.lower())


def builtin_units() -> pl.DataFrame:
    """Unit name (as `unit_key` gives it) -> basis and factor (pieces, grams or millilitres per unit)."""
    rows = [(name, "piece", 1.0) for name in PIECE_NAMES]
    rows += [(name, "piece", 12.0) for name in DOZEN_NAMES]
    rows += [(name, "case", 1.0) for name in CASE_NAMES]
    rows += [(name, "weight", grams) for name, grams in GRAMS.items()]
    rows += [(name, "volume", ml) for name, ml in MILLILITRES.items()]
    return pl.DataFrame(rows, schema={"_unit_key": pl.String, "_basis": pl.String, "_factor": pl.Float64}, orient="row")


def pack_content(pack_size: str | None) -> tuple[float | None, float | None]:
    """(grams, millilitres) in one piece from a pack size: `100 g` -> (100, None), `1.5 L` -> (None, 1500),
    `12 x 50 g` -> (600, None); (None, None) when it names no weight or volume."""
    if not pack_size:
        return None, None
    for match in _PACK.finditer(pack_size):
        count, amount, unit = match.groups()
        multiplier = float(count) if count else 1.0
        name = _key(unit)
        if name in GRAMS:
            return multiplier * float(amount) * GRAMS[name], None
        if name in MILLILITRES:
            return None, multiplier * float(amount) * MILLILITRES[name]
    return None, None


def sku_packs(skus: pl.DataFrame) -> pl.DataFrame:
    """sku_code -> _pack_grams, _pack_ml (null when the SKU master's pack_size names none)."""
    schema = {"sku_code": pl.String, "_pack_grams": pl.Float64, "_pack_ml": pl.Float64}
    if "pack_size" not in skus.columns or skus.height == 0:
        return pl.DataFrame(schema=schema)
    rows = [(code, *pack_content(size)) for code, size in skus.select("sku_code", "pack_size").iter_rows()]
    return pl.DataFrame(rows, schema=schema, orient="row").unique("sku_code", keep="first")


def declared_units(sku_units: pl.DataFrame) -> pl.DataFrame:
    """The SKU master's units table keyed like `unit_key`: sku_code, _unit_key -> _declared."""
    return (
        sku_units.select("sku_code", _unit_key=unit_key(pl.col("unit")), _declared=pl.col("pieces_per_unit"))
        .drop_nulls()
        .unique(["sku_code", "_unit_key"], keep="last")
    )


def with_pieces_per_unit(
    frame: pl.DataFrame, *, unit: str, packs: pl.DataFrame, declared: pl.DataFrame
) -> pl.DataFrame:
    """Add `_pieces_per_unit` (null when unknown) and `_unit_basis` to a frame with `sku_code`,
    `units_per_case` (from MasterData.resolve) and the `unit` column as written."""
    keyed = frame.with_columns(unit_key(pl.col(unit)).alias("_unit_key"))
    keyed = keyed.join(builtin_units(), on="_unit_key", how="left")
    keyed = keyed.join(declared, on=["sku_code", "_unit_key"], how="left")
    keyed = keyed.join(packs, on="sku_code", how="left")
    basis = pl.col("_basis")
    factor = (
        pl.when(pl.col("_declared").is_not_null())
        .then(pl.col("_declared"))
        .when(pl.col("_unit_key").is_null())
        .then(pl.lit(1.0))
        .when(basis == "piece")
        .then(pl.col("_factor"))
        .when(basis == "case")
        .then(pl.col("units_per_case").cast(pl.Float64))
        .when(basis == "weight")
        .then(pl.col("_factor") / pl.col("_pack_grams"))
        .when(basis == "volume")
        .then(pl.col("_factor") / pl.col("_pack_ml"))
    )
    named_basis = (
        pl.when(pl.col("_declared").is_not_null())
        .then(pl.lit("declared"))
        .when(pl.col("_unit_key").is_null())
        .then(pl.lit("unitless"))
        .otherwise(basis)
    )
    return keyed.with_columns(
        factor.alias("_pieces_per_unit"),
        pl.when(factor.is_not_null()).then(named_basis).alias("_unit_basis"),
    ).drop("_unit_key", "_basis", "_factor", "_declared", "_pack_grams", "_pack_ml")


def is_whole(expr: pl.Expr) -> pl.Expr:
    return (expr - expr.round(0)).abs() < 1e-6
