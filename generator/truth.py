"""`truth/`: what really happened, for tests and benchmarks (the pipeline never reads it)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl

from generator.masters import Network
from generator.problems import OVERSTOCK_COVER_DAYS, ProblemPlan
from generator.simulate import Simulation

SECONDARY_SCHEMA = {
    "distributor_code": pl.String,
    "invoice_number": pl.String,
    "invoice_date": pl.Date,
    "line_type": pl.String,
    "outlet_code": pl.String,
    "sku_code": pl.String,
    "quantity_units": pl.Int64,
    "free_units": pl.Int64,
    "net_amount": pl.Float64,
    "file_name": pl.String,
    "expected": pl.String,
    "fault": pl.String,
}
PRIMARY_SCHEMA = {
    "doc_type": pl.String,
    "doc_number": pl.String,
    "doc_date": pl.Date,
    "delivery_date": pl.Date,
    "distributor_code": pl.String,
    "sku_code": pl.String,
    "quantity_units": pl.Int64,
    "rate": pl.Float64,
    "net_amount": pl.Float64,
}
DAILY_SCHEMA = {
    "distributor_code": pl.String,
    "sku_code": pl.String,
    "date": pl.Date,
    "opening": pl.Int64,
    "receipts": pl.Int64,
    "sales": pl.Int64,
    "market_returns": pl.Int64,
    "returns_to_brand": pl.Int64,
    "lost_sales_units": pl.Int64,
    "closing": pl.Int64,
}
FILE_FAULT_ORDER = (
    "duplicate_file",
    "resent_corrected",
    "truncated_file",
    "late_file",
    "malformed_rows",
    "unknown_sku",
    "total_rows",
    "text_dates",
    "indian_amounts",
    "repeated_lines",
    "headerless_layout",
    "devanagari_headers",
)


def secondary_frame(columns: dict[str, list]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=SECONDARY_SCHEMA)


def primary_frame(sim: Simulation) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_type": [p.doc_type for p in sim.primary],
            "doc_number": [p.doc_number for p in sim.primary],
            "doc_date": [p.doc_date for p in sim.primary],
            "delivery_date": [p.delivery_date for p in sim.primary],
            "distributor_code": [p.distributor_code for p in sim.primary],
            "sku_code": [p.sku_code for p in sim.primary],
            "quantity_units": [p.quantity for p in sim.primary],
            "rate": [p.rate_paise / 100 for p in sim.primary],
            "net_amount": [p.net_paise / 100 for p in sim.primary],
        },
        schema=PRIMARY_SCHEMA,
    )


def daily_frame(sim: Simulation) -> pl.DataFrame:
    return pl.DataFrame(sim.daily, schema=DAILY_SCHEMA)


def sku_cover(network: Network, daily: pl.DataFrame, distributor_code: str) -> pl.DataFrame:
    """Per SKU of the distributor: closing stock on the last day over its sales per day in the last 28 days."""
    last_days = daily.filter(pl.col("date") > network.config.end - timedelta(days=28))
    return (
        last_days.filter(pl.col("distributor_code") == distributor_code)
        .group_by("sku_code")
        .agg(
            closing=pl.col("closing").sort_by("date").last(),
            per_day=pl.col("sales").sum() / last_days["date"].n_unique(),
        )
        .with_columns(cover_days=pl.col("closing") / pl.col("per_day"))
        .sort("sku_code")
    )


def closing_cover_days(network: Network, daily: pl.DataFrame, distributor_code: str) -> float | None:
    """The distributor's days of cover at the end, all SKUs: as kpi_distributor_overstock computes it."""
    closing, per_day = (
        sku_cover(network, daily, distributor_code).select(pl.col("closing").sum(), pl.col("per_day").sum()).row(0)
    )
    return round(closing / per_day, 1) if per_day else None


def business_problems(
    network: Network,
    plan: ProblemPlan,
    secondary: pl.DataFrame,
    daily: pl.DataFrame,
    discrepancies: list[dict],
    overclaim: dict | None,
) -> list[dict]:
    config = network.config
    sold = secondary.filter((pl.col("expected") == "loaded") & (pl.col("line_type") == "sale"))
    problems: list[dict] = []

    cover = sku_cover(network, daily, plan.overstock)
    problems.append(
        {
            "problem": "overstock",
            "distributor_code": plan.overstock,
            "target_cover_days": OVERSTOCK_COVER_DAYS,
            "normal_target_cover_days": [24, 30],
            "from_date": config.start,
            "closing_cover_days_at_end": closing_cover_days(network, daily, plan.overstock),
            "sku_codes": cover.filter(pl.col("cover_days") > 45)["sku_code"].to_list(),
        }
    )
    if overclaim is not None:
        problems.append(overclaim)

    for twin in (o for o in network.outlets if o.twin_of is not None):
        original = network.outlet_by_code[twin.twin_of]
        problems.append(
            {
                "problem": "duplicate_outlet",
                "distributor_code": twin.distributor_code,
                "outlet_codes": [original.code, twin.code],
                "outlet_names": [original.name, twin.name],
                "party_codes": [original.party_code, twin.party_code],
                "phone": twin.phone,
                "beat_code": twin.beat_code,
                "town": twin.town.town,
                "lines_under_duplicate": sold.filter(pl.col("outlet_code") == twin.code).height,
            }
        )
    problems.extend(discrepancies)

    dip = sold.filter(pl.col("distributor_code") == plan.dip_distributor)
    before = dip.filter(pl.col("invoice_date").is_between(plan.dip_from - timedelta(days=28), plan.dip_from, "left"))
    after = dip.filter(pl.col("invoice_date").is_between(plan.dip_from, plan.dip_from + timedelta(days=27)))
    days_after = min(28, (config.end - plan.dip_from).days + 1)
    per_day_before = before["quantity_units"].sum() / 28
    per_day_after = after["quantity_units"].sum() / days_after
    problems.append(
        {
            "problem": "sales_dip",
            "distributor_code": plan.dip_distributor,
            "from_date": plan.dip_from,
            "demand_drop_pct": round(plan.dip_drop * 100),
            "units_per_day_before": round(per_day_before, 1),
            "units_per_day_after": round(per_day_after, 1),
            "observed_drop_pct": round(100 * (1 - per_day_after / per_day_before), 1) if per_day_before else None,
        }
    )

    for outlet_code, stops in plan.dead_outlets.items():
        outlet = network.outlet_by_code[outlet_code]
        bought = sold.filter(pl.col("outlet_code") == outlet_code)["invoice_date"]
        problems.append(
            {
                "problem": "dead_outlet",
                "distributor_code": outlet.distributor_code,
                "outlet_code": outlet_code,
                "party_code": outlet.party_code,
                "stops_from": stops,
                "last_purchase_date": bought.max() if bought.len() else None,
                "invoices_before": bought.n_unique(),
            }
        )
    return problems


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def dump_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False, default=_json_default) + "\n", encoding="utf-8")


def sorted_file_faults(faults: list[dict]) -> list[dict]:
    return sorted(faults, key=lambda f: (FILE_FAULT_ORDER.index(f["fault"]), f["file"]))


def write_truth(
    truth_dir: Path,
    *,
    secondary: pl.DataFrame,
    primary: pl.DataFrame,
    stock: pl.DataFrame,
    daily: pl.DataFrame,
    problems: list[dict],
    file_faults: list[dict],
    manifest: dict,
) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    secondary.write_parquet(truth_dir / "secondary_lines.parquet")
    primary.write_parquet(truth_dir / "primary_lines.parquet")
    stock.write_parquet(truth_dir / "stock_truth.parquet")
    daily.write_parquet(truth_dir / "daily_stock.parquet")
    dump_json(truth_dir / "problems.json", problems)
    dump_json(truth_dir / "file_faults.json", file_faults)
    dump_json(truth_dir / "manifest.json", manifest)
