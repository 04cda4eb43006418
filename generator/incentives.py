"""What the brand's incentive side of the network looks like: an unprofitable scheme, SKU groups and sales targets.

- `with_unprofitable_scheme`: SCH005, a deep discount (20%) on SKUs no other scheme covers, run by some
  distributors only (the sales-dip distributor among them), that lifts no demand: every rupee it pays is lost, so
  its ROI is negative; the distributors that do not run it are the comparable outlets outside it.
- `sku_groups`: FOCUS (the three most popular SKUs) and NEW (the two least popular, read as new launches).
- `targets`: a month's targets per rep (value, all products: what incentives are paid on; and units of the FOCUS
  group), per beat (value) and per distributor and brand (units), set from what was really invoiced: most reps
  land between 70% and 115%; the over-achiever is set at 1/1.6 of his sales, the rep who pads his field-app orders
  (`field_app.gamed_rep`) at 1/0.7 of his invoices.
Truth is `incentive_truth`.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

import polars as pl
import polars.selectors as cs

from generator.field_app import gamed_rep
from generator.incentive_truth import (
    _gate,
    primary_secondary,
    rep_activity,
    rep_incentives,
    retailer_incentives,
    sales_facts,
    scheme_roi,
    target_achievement,
)
from generator.masters import Network, Scheme
from generator.problems import STUFFING_SHARE, ProblemPlan
from generator.simulate import Simulation
from generator.truth import closing_cover_days
from sellthrough.incentives.plan import DEFAULT_PLAN, IncentivePlan, load_plan

UNPROFITABLE_SCHEME = "SCH005"
UNPROFITABLE_DISCOUNT_PCT = 20.0
OVER_ACHIEVEMENT = 1.6  # the over-achiever's sales / target
GAMED_ACHIEVEMENT = 0.7  # the gamed rep's invoiced sales / target
TARGET_COLUMNS = (
    "month_start",
    "distributor_code",
    "beat_code",
    "rep_code",
    "brand",
    "sku_group",
    "measure",
    "target",
)
TARGET_TYPES = {"month_start": pl.Date, "target": pl.Float64}


def with_unprofitable_scheme(network: Network, plan: ProblemPlan) -> Network:
    """The network with SCH005 added (see the module doc)."""
    config = network.config
    covered = {sku for s in network.schemes for sku in s.sku_codes}
    free_goods = {sku for s in network.schemes if s.scheme_type == "free_goods" for sku in s.sku_codes}
    pool = [s for s in network.skus if s.code not in covered] or [s for s in network.skus if s.code not in free_goods]
    picked = sorted(pool, key=lambda s: (-s.popularity, s.code))[:2]
    codes = [d.code for d in network.distributors]
    others = [c for c in codes if c != plan.dip_distributor]
    runs_at = tuple(sorted({plan.dip_distributor, *others[: len(others) // 2]})) if len(codes) > 1 else ()

    def day(fraction: float) -> date:
        return config.start + timedelta(days=round((config.days - 1) * fraction))

    scheme = Scheme(
        UNPROFITABLE_SCHEME,
        f"{picked[0].brand} Retailer Push 20% Off",
        "pct_discount",
        tuple(sorted(s.code for s in picked)),
        day(0.35),
        day(0.70),
        1,
        UNPROFITABLE_DISCOUNT_PCT,
        0,
        1.0,  # no extra demand at all
        runs_at,
    )
    return replace(network, schemes=[*network.schemes, scheme])


def sku_groups(network: Network) -> dict[str, list[str]]:
    by_popularity = sorted(network.skus, key=lambda s: (-s.popularity, s.code))
    focus = [s.code for s in by_popularity[:3]]
    launches = [s.code for s in reversed(by_popularity) if s.code not in focus][:2]
    return {"FOCUS": sorted(focus), "NEW": sorted(launches)}


def _csv(columns: tuple[str, ...], rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def sku_groups_file(groups: dict[str, list[str]]) -> bytes:
    return _csv(("sku_group", "sku_code"), [(g, s) for g, skus in groups.items() for s in skus])


def _rounded(value: float, step: int) -> float:
    return float(max(step, round(value / step) * step))


def targets(
    network: Network, sales: pl.DataFrame, groups: dict[str, list[str]], over_achiever: str | None, gamed: str | None
) -> pl.DataFrame:
    """The targets master (TARGET_COLUMNS) from `sales` (incentive_truth.sales_facts: the loaded lines, placed)."""
    rng = random.Random(f"sellthrough/{network.config.seed}/targets")
    months = sorted(sales["month_start"].unique().to_list())
    rows: list[dict] = []

    def add(month: date, distributor: str, measure: str, target: float, **scope: str) -> None:
        row = dict.fromkeys(TARGET_COLUMNS)
        rows.append({**row, "month_start": month, "distributor_code": distributor, "measure": measure,
                     "target": target, **scope})  # fmt: skip

    def actual(column: str, **keys: str | date) -> float:
        frame = sales.filter(*[pl.col(k) == v for k, v in keys.items()])
        return float(frame[column].sum())

    for month in months:
        for rep in network.reps:
            value = actual("signed_net_amount", month_start=month, rep_code=rep.code)
            share = OVER_ACHIEVEMENT if rep.code == over_achiever else rng.uniform(0.7, 1.15)
            if rep.code == gamed:
                share = GAMED_ACHIEVEMENT
            add(month, rep.distributor_code, "value", _rounded(value / share, 1000), rep_code=rep.code)
            focus = sales.filter(
                (pl.col("month_start") == month)
                & (pl.col("rep_code") == rep.code)
                & pl.col("sku_code").is_in(groups["FOCUS"])
            )["signed_quantity_units"].sum()
            add(month, rep.distributor_code, "units", _rounded(focus / rng.uniform(0.8, 1.2), 10), rep_code=rep.code,
                sku_group="FOCUS")  # fmt: skip
        for beat in network.beats:
            value = actual("signed_net_amount", month_start=month, beat_code=beat.code)
            add(
                month, beat.distributor_code, "value", _rounded(value / rng.uniform(0.8, 1.2), 500), beat_code=beat.code
            )
        for distributor in network.distributors:
            for brand in sorted({s.brand for s in network.skus}):
                units = actual(
                    "signed_quantity_units", month_start=month, distributor_code=distributor.code, brand=brand
                )
                add(month, distributor.code, "units", _rounded(units / rng.uniform(0.85, 1.15), 10), brand=brand)
    return pl.DataFrame(
        rows,
        schema={
            c: pl.Date if c == "month_start" else (pl.Float64 if c == "target" else pl.String) for c in TARGET_COLUMNS
        },
    )


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return f"{value:.0f}" if isinstance(value, float) else value


def targets_file(frame: pl.DataFrame) -> bytes:
    rows = [tuple(_cell(v) for v in row) for row in frame.select(TARGET_COLUMNS).iter_rows()]
    return _csv(TARGET_COLUMNS, rows)


@dataclass
class IncentiveSide:
    files: dict[str, bytes]  # master files: sku_groups.csv, targets.csv
    truth: dict[str, pl.DataFrame]  # truth/<name>.parquet
    problems: list[dict]


def _scheme_lines(sim: Simulation) -> pl.DataFrame:
    """The scheme each simulated sale line earned under, with its discount and free pieces (invoices' lines have
    distinct SKUs, so distributor, invoice and SKU find the line)."""
    rows = [
        (i.distributor_code, i.number, line.sku_code, line.scheme_code, line.discount_paise / 100, line.free)
        for i in sim.invoices
        if i.line_type == "sale" and not i.cancelled
        for line in i.lines
        if line.scheme_code is not None
    ]
    schema = ["distributor_code", "invoice_number", "sku_code", "scheme_code", "discount_amount", "scheme_free_units"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def _over_achiever(network: Network, plan: IncentivePlan, activity: pl.DataFrame, gamed: str | None) -> str | None:
    """The rep with the most sales among those whose gates pass every month (so his capped payout is paid)."""
    best: tuple[float, str] | None = None
    for rep in network.reps:
        mine = activity.filter(pl.col("rep_code") == rep.code)
        if rep.code == gamed or mine.is_empty() or mine["actual_value"].fill_null(0).min() <= 0:
            continue
        gates_pass = True
        for row in mine.iter_rows(named=True):
            rep_plan = plan.rep_plan_for(row["month_start"])
            gates = rep_plan.gates if rep_plan else None
            if gates is not None:
                gates_pass &= _gate(row["productive_call_pct"], gates.min_productive_call_pct, gates.when_unmeasured)
                gates_pass &= _gate(row["lines_per_call"], gates.min_lines_per_call, gates.when_unmeasured)
                gates_pass &= _gate(
                    row["focus_distribution_pct"], gates.min_focus_distribution_pct, gates.when_unmeasured
                )
        total = float(mine["actual_value"].sum())
        if gates_pass and (best is None or total > best[0]):
            best = (total, rep.code)
    return best[1] if best else None


def build_incentives(
    network: Network,
    plan: ProblemPlan,
    sim: Simulation,
    secondary: pl.DataFrame,
    moves: list[dict],
    sfa: dict[str, pl.DataFrame],
    primary: pl.DataFrame,
    daily: pl.DataFrame,
    overclaim: dict | None,
) -> IncentiveSide:
    """The SKU groups and targets masters, the incentive truth and the planted incentive problems."""
    incentive_plan = load_plan(DEFAULT_PLAN)
    groups = sku_groups(network)
    sales = sales_facts(network, secondary, moves)
    gamed = gamed_rep(network)
    focus_group = incentive_plan.rep_plans[-1].gates.focus_sku_group or "FOCUS"
    activity = rep_activity(sales, sfa["sfa_visits"], sfa["sfa_orders"], groups, focus_group)
    over = _over_achiever(network, incentive_plan, activity, gamed)
    target_frame = targets(network, sales, groups, over, gamed)
    reps = rep_incentives(incentive_plan, activity, target_frame)
    roi = scheme_roi(
        network,
        sales.join(_scheme_lines(sim), on=["distributor_code", "invoice_number", "sku_code"], how="left"),
        primary,
        network.config.end,
        overclaim,
    )
    stocked = primary_secondary(sales, primary, daily)
    frames = {
        "target_achievement": target_achievement(sales, target_frame, groups),
        "rep_incentives": reps,
        "retailer_incentives": retailer_incentives(incentive_plan, network, sales, groups),
        "scheme_roi": roi,
        "primary_secondary": stocked,
    }
    # sums of floats differ in their last bits with the order Polars adds them in: the same seed, the same bytes
    truth = {name: frame.with_columns(cs.float().round(6)) for name, frame in frames.items()}
    reps, roi, stocked = truth["rep_incentives"], truth["scheme_roi"], truth["primary_secondary"]
    problems = _problems(network, plan, sim, daily, reps, roi, stocked, sfa["sfa_orders"], over, gamed)
    files = {"sku_groups.csv": sku_groups_file(groups), "targets.csv": targets_file(target_frame)}
    return IncentiveSide(files, truth, problems)


def _problems(
    network: Network,
    plan: ProblemPlan,
    sim: Simulation,
    daily: pl.DataFrame,
    reps: pl.DataFrame,
    roi: pl.DataFrame,
    stocked: pl.DataFrame,
    orders: pl.DataFrame,
    over: str | None,
    gamed: str | None,
) -> list[dict]:
    problems: list[dict] = []
    months = ["month_start", "achievement_pct", "payout_amount", "is_capped", "order_fill_rate", "is_order_inflated"]
    for problem, rep in (("over_achiever", over), ("gamed_orders", gamed)):
        if rep is None:
            continue
        entry = {
            "problem": problem,
            "rep_code": rep,
            "distributor_code": network.rep_by_code[rep].distributor_code,
            "months": reps.filter(pl.col("rep_code") == rep).select(months).to_dicts(),
        }
        if problem == "gamed_orders":
            padded = orders.filter(pl.col("fault") == "padded")
            entry |= {"padded_lines": padded.height, "padded_units": int(padded["quantity_units"].sum())}
        problems.append(entry)
    scheme = network.scheme_by_code.get(UNPROFITABLE_SCHEME)
    if scheme is not None:
        row = roi.filter(pl.col("scheme_code") == scheme.code).to_dicts()[0]
        problems.append(
            {
                "problem": "negative_roi_scheme",
                "scheme_code": scheme.code,
                "distributor_codes": list(scheme.distributor_codes),
                "sku_codes": list(scheme.sku_codes),
                "discount_pct": scheme.discount_pct,
                "true_incremental_amount": 0.0,  # it lifts no demand: the simulation's orders are the same without it
                "cost_amount": round(row["cost_amount"], 2),
                "roi": row.get("roi"),
            }
        )
    if plan.stuffed is not None:
        problems.append(
            {
                "problem": "primary_stuffing",
                "distributor_code": plan.stuffed,
                "share_of_month_orders": STUFFING_SHARE,
                # the cover kpi_distributor_overstock computes (it may pass its 45 days: stuffed is overstocked too)
                "closing_cover_days_at_end": closing_cover_days(network, daily, plan.stuffed),
                "pushed_units": sum(p.quantity for p in sim.pushed),
                "push_dates": sorted({p.doc_date for p in sim.pushed}),
                "months": stocked.filter(pl.col("distributor_code") == plan.stuffed)
                .select("month_start", "primary_secondary_ratio", "is_stuffing_signal")
                .to_dicts(),
            }
        )
    return problems
