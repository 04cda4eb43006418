"""Modern-trade chains' POS sell-out files: each chain's layout, one raw table keyed to outlets by store."""

from ingest.core.source import ReadResult, SourceKind
from ingest.pos_sales.contract import POS_SALES
from ingest.pos_sales.reader import read


def _preview_totals(result: ReadResult) -> dict:
    """Stores, outlets and SKUs the file would load, and its date grain(s)."""
    lines = result.tables[POS_SALES.table]
    if lines.height == 0:
        return {"stores": 0, "outlets": 0, "skus": 0, "date_grains": []}
    return {
        "stores": lines["store_code"].drop_nulls().n_unique(),
        "outlets": lines["outlet_code"].drop_nulls().n_unique(),
        "skus": lines["sku_code"].drop_nulls().n_unique(),
        "date_grains": sorted(lines["date_grain"].unique().to_list()),
    }


SOURCE = SourceKind(
    name="pos_sales",
    description="Modern-trade chains' POS sell-out (CSV, xlsx) to raw/pos_sales",
    contracts={POS_SALES.table: POS_SALES},
    read=read,
    suite="expectations.suites.pos_sales",
    load_order=40,
    preview_totals=_preview_totals,
)
