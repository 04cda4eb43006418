"""Monthly files: the brand's ERP primary sales, distributors' stock statements, and scheme claims."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl
from openpyxl import Workbook

from generator.config import NetworkConfig
from generator.files import delimited, plain, workbook_bytes, write_delivered
from generator.masters import Network
from generator.problems import ProblemPlan
from generator.simulate import Simulation

PRIMARY_HEADER = (
    "Document Type",
    "Document No",
    "Document Date",
    "Delivery Date",
    "Distributor Code",
    "Material",
    "Quantity (Units)",
    "Rate",
    "Net Value",
)
STOCK_HEADER = ("Item Code", "Item Name", "Opening", "Receipts", "Sales", "Closing")


@dataclass(frozen=True)
class Month:
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"


def months(config: NetworkConfig, full_only: bool = False) -> list[Month]:
    out = []
    year, month = config.start.year, config.start.month
    while date(year, month, 1) <= config.end:
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        if not full_only or (first >= config.start and last <= config.end):
            out.append(Month(first, last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def write_primary_files(network: Network, sim: Simulation, inbox: Path) -> list[str]:
    config = network.config
    files = []
    for month in months(config):
        lines = [p for p in sim.primary if month.first <= p.doc_date <= month.last]
        if not lines:
            continue
        rows: list[list[object]] = [list(PRIMARY_HEADER)]
        for p in lines:
            rows.append(
                [
                    "INV" if p.doc_type == "invoice" else "CRN",
                    p.doc_number,
                    p.doc_date.isoformat(),
                    p.delivery_date.isoformat() if p.delivery_date else "",
                    p.distributor_code,
                    p.sku_code,
                    p.quantity,
                    plain(p.rate_paise),
                    plain(p.net_paise),
                ]
            )
        relative = f"primary_sales/BRAND/primary_{month.label}.csv"
        delivered = datetime.combine(min(month.last, config.end) + timedelta(days=1), time(0, 30))
        write_delivered(inbox / relative, delimited(rows).encode("utf-8"), delivered)
        files.append(relative)
    return files


def stock_truth(network: Network, sim: Simulation, plan_rng: random.Random) -> tuple[pl.DataFrame, list[dict]]:
    """Per distributor x SKU x full month: the true movements and closing, and the closing as reported
    (a few planted 10-40% off, both signs). Returns the frame and the planted discrepancies."""
    config = network.config
    daily = pl.DataFrame(sim.daily)
    frames = []
    for month in months(config, full_only=True):
        frames.append(
            daily.filter(pl.col("date").is_between(month.first, month.last))
            .sort("distributor_code", "sku_code", "date")
            .group_by("distributor_code", "sku_code", maintain_order=True)
            .agg(
                opening_units=pl.col("opening").first(),
                receipts_units=pl.col("receipts").sum(),
                sales_units=pl.col("sales").sum() - pl.col("market_returns").sum(),
                returns_units=pl.col("returns_to_brand").sum(),
                closing_units_true=pl.col("closing").last(),
            )
            .with_columns(period_start=pl.lit(month.first), period_end=pl.lit(month.last))
        )
    columns = [
        "distributor_code",
        "sku_code",
        "period_start",
        "period_end",
        "opening_units",
        "receipts_units",
        "sales_units",
        "returns_units",
        "closing_units_true",
    ]
    schema = {"distributor_code": pl.String, "sku_code": pl.String, "period_start": pl.Date, "period_end": pl.Date}
    schema |= dict.fromkeys(columns[4:], pl.Int64)
    truth = pl.concat(frames).select(columns) if frames else pl.DataFrame(schema=schema)
    truth = truth.cast(schema)

    wanted = 6 if config.days >= 90 else 4
    candidates = [r for r in truth.iter_rows(named=True) if r["closing_units_true"] >= 60]
    plan_rng.shuffle(candidates)
    picked: list[dict] = []
    for row in candidates:  # one per distributor first, then any
        if len(picked) < wanted and row["distributor_code"] not in {p["distributor_code"] for p in picked}:
            picked.append(row)
    for row in candidates:
        if len(picked) < wanted and row not in picked:
            picked.append(row)
    reported: dict[tuple, int] = {}
    planted = []
    for i, row in enumerate(sorted(picked, key=lambda r: (r["distributor_code"], r["sku_code"], r["period_start"]))):
        sign = 1 if i % 2 == 0 else -1
        pct = plan_rng.uniform(0.10, 0.40)
        true_closing = row["closing_units_true"]
        value = max(0, round(true_closing * (1 + sign * pct)))
        reported[(row["distributor_code"], row["sku_code"], row["period_start"])] = value
        planted.append(
            {
                "problem": "stock_discrepancy",
                "distributor_code": row["distributor_code"],
                "sku_code": row["sku_code"],
                "period_start": row["period_start"],
                "period_end": row["period_end"],
                "closing_units_true": true_closing,
                "closing_units_reported": value,
                "difference_units": value - true_closing,
                "difference_pct": round(100 * (value - true_closing) / true_closing, 1),
            }
        )
    overrides = pl.DataFrame(
        {
            "distributor_code": [k[0] for k in reported],
            "sku_code": [k[1] for k in reported],
            "period_start": [k[2] for k in reported],
            "_reported": list(reported.values()),
        },
        schema={"distributor_code": pl.String, "sku_code": pl.String, "period_start": pl.Date, "_reported": pl.Int64},
    )
    truth = (
        truth.join(overrides, on=["distributor_code", "sku_code", "period_start"], how="left", maintain_order="left")
        .with_columns(closing_units_reported=pl.coalesce("_reported", "closing_units_true"))
        .drop("_reported")
    )
    return truth, planted


def write_stock_statements(network: Network, truth: pl.DataFrame, inbox: Path, rng: random.Random) -> list[str]:
    """`stock_statement/<D>/stock_YYYY-MM.xlsx`: sales net of market returns; returns to the brand in neither
    receipts nor sales, so opening + receipts - sales - returns = closing when the statement is right."""
    files = []
    for i, distributor in enumerate(network.distributors):
        labels = network.labels[distributor.code]
        mine = truth.filter(pl.col("distributor_code") == distributor.code)
        for month in months(network.config, full_only=True):
            rows = mine.filter(pl.col("period_start") == month.first).sort("sku_code")
            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "Stock Statement"
            sheet.cell(1, 1, f"Stock Statement {month.first:%d-%m-%Y} to {month.last:%d-%m-%Y}")
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(STOCK_HEADER))
            sheet.append(list(STOCK_HEADER))
            for row in rows.iter_rows(named=True):
                label = labels[row["sku_code"]]
                sheet.append(
                    [
                        label.code,
                        label.name,
                        row["opening_units"],
                        row["receipts_units"],
                        row["sales_units"],
                        row["closing_units_reported"],
                    ]
                )
            relative = f"stock_statement/{distributor.code}/stock_{month.label}.xlsx"
            delivered = datetime.combine(month.last + timedelta(days=rng.randint(4, 8)), time(6, 0))
            write_delivered(inbox / relative, workbook_bytes(workbook), delivered + timedelta(minutes=i * 13))
            files.append(relative)
    return files


def write_scheme_claims(
    network: Network, sim: Simulation, plan: ProblemPlan, inbox: Path, rng: random.Random
) -> tuple[list[str], dict | None]:
    """`scheme_claims/<D>/claims_YYYY-MM.csv`: what each distributor claims per scheme and retailer; one
    distributor claims 1.5-3x what was earned for some retailers."""
    earned: dict[tuple[str, str, str, str], int] = {}
    for invoice in sim.invoices:
        if invoice.line_type != "sale" or invoice.cancelled:
            continue
        for line in invoice.lines:
            if line.scheme_code is None:
                continue
            key = (invoice.distributor_code, f"{invoice.day:%Y-%m}", line.scheme_code, invoice.outlet_code)
            earned[key] = earned.get(key, 0) + line.discount_paise + line.free * line.rate_paise
    keys = sorted(earned)
    # the distributor inflates every claim of a few of its retailers
    outlets = sorted({k[3] for k in keys if k[0] == plan.overclaim})
    inflated = set(rng.sample(outlets, min(len(outlets), max(2, round(len(outlets) * 0.15)))))
    chosen = {k for k in keys if k[0] == plan.overclaim and k[3] in inflated and earned[k] > 0}
    claimed = {k: round(earned[k] * rng.uniform(1.5, 3.0)) if k in chosen else earned[k] for k in keys}
    files = []
    for i, distributor in enumerate(network.distributors):
        for month in months(network.config):
            mine = [k for k in keys if k[0] == distributor.code and k[1] == month.label]
            if not mine:
                continue
            rows: list[list[object]] = [["Scheme Code", "Party Code", "Claimed Amount"]]
            rows += [[k[2], network.outlet_by_code[k[3]].party_code, plain(claimed[k])] for k in mine]
            relative = f"scheme_claims/{distributor.code}/claims_{month.label}.csv"
            delivered = datetime.combine(month.last + timedelta(days=10), time(5, 0)) + timedelta(minutes=i * 17)
            write_delivered(inbox / relative, delimited(rows).encode("utf-8"), delivered)
            files.append(relative)
    if not chosen:
        return files, None
    items = [
        {
            "month": k[1],
            "scheme_code": k[2],
            "outlet_code": k[3],
            "party_code": network.outlet_by_code[k[3]].party_code,
            "earned_amount": earned[k] / 100,
            "claimed_amount": claimed[k] / 100,
            "ratio": round(claimed[k] / earned[k], 2),
        }
        for k in sorted(chosen)
    ]
    problem = {
        "problem": "scheme_overclaim",
        "distributor_code": plan.overclaim,
        "scheme_codes": sorted({i["scheme_code"] for i in items}),
        "outlet_codes": sorted({i["outlet_code"] for i in items}),
        "party_codes": sorted({i["party_code"] for i in items}),
        "months": sorted({i["month"] for i in items}),
        "earned_amount": round(sum(earned[k] for k in chosen) / 100, 2),
        "claimed_amount": round(sum(claimed[k] for k in chosen) / 100, 2),
        "files": sorted({f"scheme_claims/{plan.overclaim}/claims_{i['month']}.csv" for i in items}),
        "claims": items,
    }
    return files, problem
