"""The drill state of the Drill-down page, kept in the URL's query parameters so a link can be shared.

National > zone > region > state > distributor > beat > outlet and brand > category > SKU, plus filters by rep,
channel and outlet class. `?period=l4w&zone=West&region=Maharashtra&brand=Crunchy&by=geo` reads "the last 4
weeks, West > Maharashtra, brand Crunchy, grouped by the next level of the geography (state)".

Values from the URL are untrusted: they only ever travel as bound parameters. The column a query groups or
filters by comes from this module's fixed maps, never from the URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

GEO_LEVELS = ("zone", "region", "state", "distributor", "beat", "outlet")
PRODUCT_LEVELS = ("brand", "category", "sku")
FILTER_DIMENSIONS = ("rep", "channel", "class")
PERIODS = ("mtd", "l4w", "fytd")
GROUPINGS = ("geo", "product", "rep", "channel", "class")

# level -> (key column, label column) in dash_sales_periods
COLUMNS: dict[str, tuple[str, str]] = {
    "zone": ("zone", "zone"),
    "region": ("region", "region"),
    "state": ("state", "state"),
    "distributor": ("distributor_code", "distributor_name"),
    "beat": ("beat_code", "beat_name"),
    "outlet": ("master_outlet_id", "outlet_name"),
    "brand": ("brand", "brand"),
    "category": ("category", "category"),
    "sku": ("sku_code", "sku_name"),
    "rep": ("rep_code", "rep_name"),
    "channel": ("channel", "channel"),
    "class": ("outlet_class", "outlet_class"),
}
TITLES = {
    "zone": "Zone",
    "region": "Region",
    "state": "State",
    "distributor": "Distributor",
    "beat": "Beat",
    "outlet": "Outlet",
    "brand": "Brand",
    "category": "Category",
    "sku": "SKU",
    "rep": "Rep",
    "channel": "Channel",
    "class": "Outlet class",
}


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        value = value[-1] if value else None
    return value if value else None


@dataclass(frozen=True)
class DrillState:
    period: str = "mtd"
    geo: tuple[tuple[str, str], ...] = ()  # (level, value), national first, contiguous
    product: tuple[tuple[str, str], ...] = ()
    filters: tuple[tuple[str, str], ...] = ()  # (rep | channel | class, value)
    by: str = "geo"

    @classmethod
    def from_query(cls, params: Mapping[str, str | list[str]]) -> DrillState:
        """Read the state from query parameters; unknown names and values are ignored, and a level whose parent
        is missing ends the path (`?region=X` without a zone is the national level)."""
        period = _first(params.get("period"))
        by = _first(params.get("by"))
        return cls(
            period=period if period in PERIODS else "mtd",
            geo=_path(params, GEO_LEVELS),
            product=_path(params, PRODUCT_LEVELS),
            filters=tuple((d, v) for d in FILTER_DIMENSIONS if (v := _first(params.get(d)))),
            by=by if by in GROUPINGS else "geo",
        )

    def to_query(self) -> dict[str, str]:
        query = {"period": self.period}
        query.update(dict(self.geo))
        query.update(dict(self.product))
        query.update(dict(self.filters))
        if self.by != "geo":
            query["by"] = self.by
        return query

    @property
    def next_geo_level(self) -> str | None:
        return GEO_LEVELS[len(self.geo)] if len(self.geo) < len(GEO_LEVELS) else None

    @property
    def next_product_level(self) -> str | None:
        return PRODUCT_LEVELS[len(self.product)] if len(self.product) < len(PRODUCT_LEVELS) else None

    @property
    def group_level(self) -> str | None:
        """The level the page's table and chart show: the grouping asked for, else the next level there is
        (at the outlet, its products; at the outlet's SKU, nothing further)."""
        if self.by in FILTER_DIMENSIONS and self.by not in dict(self.filters):
            return self.by
        if self.by == "product" and self.next_product_level:
            return self.next_product_level
        return self.next_geo_level or self.next_product_level

    def drilled(self, level: str, value: str) -> DrillState:
        """One click further down: `level` = `value` added to its path (or as a filter); the grouping goes back
        to the geography (the product, when the geography has no level left)."""
        if level in GEO_LEVELS:
            return replace(self, geo=(*self.geo, (level, value)), by="geo" if self.by != "product" else "product")
        if level in PRODUCT_LEVELS:
            return replace(self, product=(*self.product, (level, value)))
        if level in FILTER_DIMENSIONS:
            return replace(self, filters=(*self.filters, (level, value)), by="geo")
        raise ValueError(f"unknown drill level {level!r}")

    def up_to_geo(self, depth: int) -> DrillState:
        """Back up the geography to its first `depth` levels (0 = national)."""
        return replace(self, geo=self.geo[:depth])

    def up_to_product(self, depth: int) -> DrillState:
        return replace(self, product=self.product[:depth])

    def without_filter(self, dimension: str) -> DrillState:
        return replace(self, filters=tuple(f for f in self.filters if f[0] != dimension))

    def where(self) -> tuple[str, list[str]]:
        """The SQL condition of the state's path and filters over dash_sales_periods (columns from COLUMNS,
        values bound) and its parameters, the period first."""
        conditions = ["period = ?"]
        params = [self.period]
        for level, value in (*self.geo, *self.product, *self.filters):
            conditions.append(f"{COLUMNS[level][0]} = ?")
            params.append(value)
        return " and ".join(conditions), params


def _path(params: Mapping[str, str | list[str]], levels: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    path = []
    for level in levels:
        value = _first(params.get(level))
        if value is None:
            break
        path.append((level, value))
    return tuple(path)
