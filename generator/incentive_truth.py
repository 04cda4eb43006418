"""The incentive side of `truth/`: what every rep, retailer, scheme and distributor-month must show in the marts,
computed here in Python from what the generator knows (the lines that load, each outlet's beat on each day, the
field app's calls and orders, the ERP and the daily stock), independently of the SQL in dbt. The formulas are the
ones docs/incentives.md states; the plan is the shipped default (sellthrough/incentives/default_plan.yml).

Frames (one parquet each): `target_achievement`, `rep_incentives`, `retailer_incentives`, `scheme_roi`,
`primary_secondary`. Amounts in rupees; `*_pct` on a 0-100 scale.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import polars as pl

from generator.masters import Network
from sellthrough.incentives.plan import IncentivePlan

FILL_WINDOW_DAYS = 3  # dbt var fill_window_days: an order is filled by invoices up to this many days later
STUFFING_RATIO = 1.2  # dbt var stuffing_primary_secondary_ratio
MIN_ORDER_FILL_RATE = 0.8  # dbt var rep_min_order_fill_rate


def _month(column: str) -> pl.Expr:
    return pl.col(column).dt.truncate("1mo").alias("month_start")


def outlet_frame(network: Network) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "outlet_code": [o.code for o in network.outlets],
            "master_outlet_id": [o.twin_of or o.code for o in network.outlets],
            "home_beat": [o.beat_code for o in network.outlets],
            "channel": [o.channel for o in network.outlets],
            "outlet_class": [o.outlet_class for o in network.outlets],
        }
    )


def sales_facts(network: Network, secondary: pl.DataFrame, moves: list[dict]) -> pl.DataFrame:
    """The lines that load, each with its master outlet, its beat on the invoice date (an outlet that moved is
    on its new beat from the move's date), the beat's rep, the SKU's brand, signed units and rupees."""
    moved = pl.DataFrame(
        {"outlet_code": [m["outlet_code"] for m in moves], "to_beat": [m["to_beat"] for m in moves],
         "moved_on": [m["on"] for m in moves]},
        schema={"outlet_code": pl.String, "to_beat": pl.String, "moved_on": pl.Date},
    )  # fmt: skip
    beats = pl.DataFrame(
        {"beat_code": [b.code for b in network.beats], "rep_code": [b.rep_code for b in network.beats]}
    )
    skus = pl.DataFrame({"sku_code": [s.code for s in network.skus], "brand": [s.brand for s in network.skus]})
    sign = pl.when(pl.col("line_type") == "return").then(-1).otherwise(1)
    return (
        secondary.filter(pl.col("expected") == "loaded")
        .join(outlet_frame(network), on="outlet_code", how="left")
        .join(moved, on="outlet_code", how="left")
        .with_columns(
            beat_code=pl.when(pl.col("moved_on").is_not_null() & (pl.col("invoice_date") >= pl.col("moved_on")))
            .then(pl.col("to_beat"))
            .otherwise(pl.col("home_beat"))
        )
        .join(beats, on="beat_code", how="left")
        .join(skus, on="sku_code", how="left")
        .with_columns(
            _month("invoice_date"),
            signed_quantity_units=pl.col("quantity_units") * sign,
            signed_net_amount=pl.col("net_amount") * sign,
        )
    )


# --- reps ---------------------------------------------------------------------------------------------------------
def rep_activity(
    sales: pl.DataFrame, visits: pl.DataFrame, orders: pl.DataFrame, groups: dict[str, list[str]], focus_group: str
) -> pl.DataFrame:
    """Per rep x month: invoiced sales on the rep's beats, the field app's calls and lines, focus-SKU
    distribution, and the rep's field-app orders against what invoices filled."""
    sold = sales.filter(pl.col("rep_code").is_not_null())
    invoiced = sold.group_by("rep_code", "month_start").agg(
        actual_value=pl.col("signed_net_amount").sum(),
        actual_units=pl.col("signed_quantity_units").sum(),
    )
    billed = sold.filter(pl.col("line_type") == "sale")
    focus = groups.get(focus_group, [])
    distribution = billed.group_by("rep_code", "month_start").agg(
        outlets_invoiced=pl.col("master_outlet_id").n_unique(),
        focus_outlets=pl.col("master_outlet_id").filter(pl.col("sku_code").is_in(focus)).n_unique(),
    )
    calls = visits.group_by("rep_code", "month_start").agg(
        calls=pl.len(), productive_calls=pl.col("productive").sum(), order_lines=pl.col("order_lines").sum()
    )
    return (
        invoiced.join(distribution, on=["rep_code", "month_start"], how="full", coalesce=True)
        .join(calls, on=["rep_code", "month_start"], how="full", coalesce=True)
        .join(order_fill(billed, orders), on=["rep_code", "month_start"], how="full", coalesce=True)
        .with_columns(
            productive_call_pct=100 * pl.col("productive_calls") / pl.col("calls"),
            lines_per_call=pl.col("order_lines") / pl.col("calls"),
            focus_distribution_pct=100 * pl.col("focus_outlets") / pl.col("outlets_invoiced"),
        )
    )


def order_fill(billed: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """Per rep x order month: units the rep booked in the field app, and of them the units that invoices of the same
    outlet (master) and SKU filled from the order day to FILL_WINDOW_DAYS after."""
    lines = orders.filter(pl.col("expected") == "loaded").with_row_index("_order_line")
    masters = billed.select("outlet_code", "master_outlet_id").unique()
    lines = lines.join(masters, on="outlet_code", how="left").with_columns(
        pl.coalesce("master_outlet_id", "outlet_code").alias("master_outlet_id")
    )
    invoices = billed.select("master_outlet_id", "sku_code", "invoice_date", invoiced="quantity_units")
    matched = (
        lines.join(invoices, on=["master_outlet_id", "sku_code"], how="left")
        .filter(
            pl.col("invoice_date").is_null()
            | pl.col("invoice_date").is_between(
                pl.col("order_date"), pl.col("order_date") + timedelta(days=FILL_WINDOW_DAYS)
            )
        )
        .group_by("_order_line")
        .agg(invoiced=pl.col("invoiced").sum())
    )
    return (
        lines.join(matched, on="_order_line", how="left")
        .with_columns(_month("order_date"), filled=pl.min_horizontal("quantity_units", pl.col("invoiced").fill_null(0)))
        .group_by("rep_code", "month_start")
        .agg(ordered_units=pl.col("quantity_units").sum(), filled_units=pl.col("filled").sum())
    )


def _gate(metric: float | None, minimum: float | None, when_unmeasured: str) -> bool:
    if minimum is None:
        return True
    if metric is None:
        return when_unmeasured == "pass"
    return metric >= minimum


def _number(value: object) -> float | None:
    return None if value is None else float(value)


def rep_incentives(plan: IncentivePlan, activity: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """fct_rep_incentive as it must be: per rep x month with a target (rep level, all products) in the plan's
    measure."""
    rows = []
    rep_targets = targets.filter(
        pl.col("rep_code").is_not_null() & pl.col("brand").is_null() & pl.col("sku_group").is_null()
    )
    by_key = {(r["rep_code"], r["month_start"]): r for r in activity.iter_rows(named=True)}
    for target in rep_targets.iter_rows(named=True):
        month = target["month_start"]
        rep_plan = plan.rep_plan_for(month)
        if rep_plan is None or target["measure"] != rep_plan.target_measure:
            continue
        seen = by_key.get((target["rep_code"], month), {})
        actual = float(seen.get(f"actual_{rep_plan.target_measure}") or 0)
        achievement = 100 * actual / target["target"]
        slab = [s for s in rep_plan.slabs if s.from_pct <= max(achievement, 0)][-1]
        slab_pct = max(0.0, slab.payout_pct + slab.rate * (achievement - slab.from_pct))
        payout_pct = min(slab_pct, rep_plan.cap_pct) if rep_plan.cap_pct is not None else slab_pct
        gates = rep_plan.gates
        metrics = {k: _number(seen.get(k)) for k in ("productive_call_pct", "lines_per_call", "focus_distribution_pct")}
        passed = {
            "productive_call_gate_passed": _gate(
                metrics["productive_call_pct"], gates.min_productive_call_pct, gates.when_unmeasured
            ),
            "lines_per_call_gate_passed": _gate(
                metrics["lines_per_call"], gates.min_lines_per_call, gates.when_unmeasured
            ),
            "focus_distribution_gate_passed": _gate(
                metrics["focus_distribution_pct"], gates.min_focus_distribution_pct, gates.when_unmeasured
            ),
        }
        earned = round(rep_plan.target_incentive * payout_pct / 100, 2)
        ordered, filled = seen.get("ordered_units"), seen.get("filled_units")
        fill_rate = filled / ordered if ordered else None
        rows.append(
            {
                "rep_code": target["rep_code"],
                "month_start": month,
                "distributor_code": target["distributor_code"],
                "target": target["target"],
                "actual": actual,
                "achievement_pct": achievement,
                "slab_from_pct": slab.from_pct,
                "slab_payout_pct": slab_pct,
                "payout_pct": payout_pct,
                "is_capped": rep_plan.cap_pct is not None and slab_pct > rep_plan.cap_pct,
                "earned_amount": earned,
                **metrics,
                **passed,
                "gates_passed": all(passed.values()),
                "payout_amount": earned if all(passed.values()) else 0.0,
                "ordered_units": ordered,
                "filled_units": filled,
                "order_fill_rate": fill_rate,
                "is_order_inflated": fill_rate is not None and fill_rate < MIN_ORDER_FILL_RATE,
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def target_achievement(sales: pl.DataFrame, targets: pl.DataFrame, groups: dict[str, list[str]]) -> pl.DataFrame:
    """fct_target_achievement as it must be: every target row with what the invoices reached."""
    rows = []
    for target in targets.iter_rows(named=True):
        frame = sales.filter(pl.col("month_start") == target["month_start"])
        frame = frame.filter(pl.col("distributor_code") == target["distributor_code"])
        if target["rep_code"]:
            frame = frame.filter(pl.col("rep_code") == target["rep_code"])
        if target["beat_code"]:
            frame = frame.filter(pl.col("beat_code") == target["beat_code"])
        if target["brand"]:
            frame = frame.filter(pl.col("brand") == target["brand"])
        if target["sku_group"]:
            frame = frame.filter(pl.col("sku_code").is_in(groups.get(target["sku_group"], [])))
        column = "signed_net_amount" if target["measure"] == "value" else "signed_quantity_units"
        actual = float(frame[column].sum())
        rows.append({**target, "actual": actual, "achievement_pct": 100 * actual / target["target"]})
    return pl.DataFrame(rows, infer_schema_length=None)


# --- retailers ----------------------------------------------------------------------------------------------------
def retailer_incentives(
    plan: IncentivePlan, network: Network, sales: pl.DataFrame, groups: dict[str, list[str]]
) -> pl.DataFrame:
    """fct_retailer_incentive as it must be: per master outlet x month with a programme in force (one month at a
    time, each under its programme; the outlets of a month at once)."""
    channels = pl.DataFrame(
        {
            "master_outlet_id": [o.code for o in network.outlets if o.twin_of is None],
            "channel": [o.channel for o in network.outlets if o.twin_of is None],
        }
    )
    firsts = (
        sales.filter(pl.col("line_type") == "sale")
        .group_by("master_outlet_id", "sku_code")
        .agg(first=pl.col("invoice_date").min())
        .with_columns(_month("first"))
    )
    frames = []
    for month in sorted(sales["month_start"].unique().to_list()):
        programme = plan.programme_for(month)
        if programme is None:
            continue
        focus_skus = groups.get(programme.focus_sku_group or "", [])
        new_skus = groups.get(programme.new_sku_group or "", [])
        slabs = pl.DataFrame(
            {
                "loyalty_slab_from_amount": [s.from_amount for s in programme.loyalty_slabs],
                "loyalty_payout_pct": [s.payout_pct for s in programme.loyalty_slabs],
            }
        )
        listed = (
            firsts.filter((pl.col("month_start") == month) & pl.col("sku_code").is_in(new_skus))
            .group_by("master_outlet_id")
            .agg(new_skus_listed=pl.len())
        )
        in_programme = pl.lit(True) if programme.channels is None else pl.col("channel").is_in(list(programme.channels))
        month_rows = (
            sales.filter(pl.col("month_start") == month)
            .group_by("master_outlet_id")
            .agg(
                purchases_amount=pl.col("signed_net_amount").sum(),
                focus_purchases_amount=pl.col("signed_net_amount").filter(pl.col("sku_code").is_in(focus_skus)).sum(),
            )
            .join(channels, on="master_outlet_id", how="left")
            .join(listed, on="master_outlet_id", how="left")
            .with_columns(
                month_start=pl.lit(month),
                is_in_programme=in_programme,
                new_skus_listed=pl.col("new_skus_listed").fill_null(0).cast(pl.Int64),
                _reached=pl.max_horizontal("purchases_amount", pl.lit(0.0)),
            )
            .sort("_reached")
            .join_asof(slabs, left_on="_reached", right_on="loyalty_slab_from_amount", strategy="backward")
        )
        paid = pl.col("is_in_programme")
        frames.append(
            month_rows.with_columns(
                loyalty_amount=pl.when(paid).then((pl.col("_reached") * pl.col("loyalty_payout_pct") / 100).round(2)),
                focus_bonus_amount=pl.when(paid).then(
                    (pl.max_horizontal("focus_purchases_amount", pl.lit(0.0)) * programme.focus_bonus_pct / 100).round(
                        2
                    )
                ),
                new_sku_bonus_amount=pl.when(paid).then((pl.col("new_skus_listed") * programme.new_sku_bonus).round(2)),
            )
            .with_columns(pl.col("loyalty_amount", "focus_bonus_amount", "new_sku_bonus_amount").fill_null(0.0))
            .with_columns(
                earned_amount=(
                    pl.col("loyalty_amount") + pl.col("focus_bonus_amount") + pl.col("new_sku_bonus_amount")
                ).round(2)
            )
            .select(
                "master_outlet_id",
                "month_start",
                "is_in_programme",
                "purchases_amount",
                "loyalty_slab_from_amount",
                "loyalty_payout_pct",
                "loyalty_amount",
                "focus_purchases_amount",
                "focus_bonus_amount",
                "new_skus_listed",
                "new_sku_bonus_amount",
                "earned_amount",
            )
        )
    return pl.concat(frames).sort("master_outlet_id", "month_start") if frames else pl.DataFrame()


# --- schemes ------------------------------------------------------------------------------------------------------
def _whole_weeks(days: int) -> int | None:
    weeks = days // 7
    return 7 * weeks if weeks else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def scheme_roi(
    network: Network, sales: pl.DataFrame, primary: pl.DataFrame, as_of: date, claims: dict | None
) -> pl.DataFrame:
    """fct_scheme_roi as it must be. `sales` need the scheme each line earned under (`scheme_code`, from the
    simulation) and its discount; `claims` is the planted over-claim (problems.json's scheme_overclaim)."""
    first_day = sales["invoice_date"].min()
    rates = (
        primary.filter(pl.col("doc_type") == "invoice")
        .group_by("distributor_code", "sku_code")
        .agg(primary_rate=pl.col("rate").mean())
    )
    leakage: dict[str, float] = {}
    for claim in (claims or {}).get("claims", []):
        excess = claim["claimed_amount"] - claim["earned_amount"]
        leakage[claim["scheme_code"]] = leakage.get(claim["scheme_code"], 0.0) + excess
    rows = []
    for scheme in network.schemes:
        earned = sales.filter(pl.col("scheme_code") == scheme.code)
        running = set(earned["distributor_code"].unique().to_list())
        eligible = sales.filter(pl.col("sku_code").is_in(list(scheme.sku_codes))).with_columns(
            is_running=pl.col("distributor_code").is_in(list(running))
        )
        end = min(scheme.end, as_of)
        days = (end - scheme.start).days + 1
        pre_days = _whole_weeks(min(days, (scheme.start - first_day).days))
        post_days = _whole_weeks(min(days, (as_of - scheme.end).days))

        def total(running: bool, start: date, stop: date, lines: pl.DataFrame = eligible) -> float:
            mine = lines.filter((pl.col("is_running") == running) & pl.col("invoice_date").is_between(start, stop))
            return float(mine["signed_net_amount"].sum())

        pre = (scheme.start - timedelta(days=pre_days or 0), scheme.start - timedelta(days=1))
        post = (scheme.end + timedelta(days=1), scheme.end + timedelta(days=post_days or 0))
        amounts = {
            "pre_amount": total(True, *pre) if pre_days else 0.0,
            "during_amount": total(True, scheme.start, end),
            "post_amount": total(True, *post) if post_days else 0.0,
            "control_pre_amount": total(False, *pre) if pre_days else 0.0,
            "control_during_amount": total(False, scheme.start, end),
            "control_post_amount": total(False, *post) if post_days else 0.0,
        }
        control_pre_rate = _ratio(amounts["control_pre_amount"], pre_days)
        growth = _ratio(_ratio(amounts["control_during_amount"], days), control_pre_rate)
        post_growth = _ratio(_ratio(amounts["control_post_amount"], post_days), control_pre_rate)
        pre_rate = _ratio(amounts["pre_amount"], pre_days) if pre_days else None
        baseline = pre_rate * (1.0 if growth is None else growth) * days if pre_rate is not None else None
        post_baseline = (
            pre_rate * (1.0 if post_growth is None else post_growth) * post_days
            if pre_rate is not None and post_days
            else None
        )
        incremental = amounts["during_amount"] - baseline if baseline is not None else None
        dip = amounts["post_amount"] - post_baseline if post_baseline is not None else None
        costed = earned.join(rates, on=["distributor_code", "sku_code"], how="left")
        free_cost = float((costed["free_units"] * costed["primary_rate"]).sum())
        cost = float(costed["discount_amount"].sum()) + free_cost
        overlapping = sorted(
            other.code
            for other in network.schemes
            if other.code != scheme.code
            and set(other.sku_codes) & set(scheme.sku_codes)
            and pre_days
            and other.start <= pre[1]
            and other.end >= pre[0]
        )
        rows.append(
            {
                "scheme_code": scheme.code,
                "running_distributors": len(running),
                "control_distributors": len(network.distributors) - len(running),
                "observed_days": days,
                "pre_days": pre_days,
                "post_days": post_days,
                "pre_window_schemes": ",".join(overlapping) or None,
                **amounts,
                "control_growth": growth,
                "baseline_amount": baseline,
                "incremental_amount": incremental,
                "post_baseline_amount": post_baseline,
                "post_dip_amount": dip,
                "post_dip_pct": _ratio(100 * dip, post_baseline) if dip is not None else None,
                "earned_discount_amount": float(costed["discount_amount"].sum()),
                "earned_free_units": int(costed["free_units"].sum()),
                "free_goods_cost_amount": free_cost,
                "cost_amount": cost,
                "roi": _ratio(incremental - cost, cost) if incremental is not None else None,
                "roi_after_dip": _ratio(incremental + dip - cost, cost)
                if dip is not None and incremental is not None
                else None,
                "leakage_amount": round(leakage.get(scheme.code, 0.0), 2),
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


# --- distributors -------------------------------------------------------------------------------------------------
def primary_secondary(sales: pl.DataFrame, primary: pl.DataFrame, daily: pl.DataFrame) -> pl.DataFrame:
    """kpi_primary_secondary as it must be: per distributor x month."""
    sign = pl.when(pl.col("doc_type") == "credit_note").then(-1).otherwise(1)
    erp = (
        primary.with_columns(_month("doc_date"))
        .group_by("distributor_code", "month_start")
        .agg(
            primary_units=(pl.col("quantity_units") * sign).sum(),
            primary_amount=(pl.col("net_amount") * sign).sum(),
        )
    )
    is_sale = pl.col("line_type") == "sale"
    sold = sales.group_by("distributor_code", "month_start").agg(
        secondary_billed_units=pl.col("quantity_units").filter(is_sale).sum(),
        secondary_free_units=pl.col("free_units").filter(is_sale).sum(),
        secondary_returned_units=pl.col("quantity_units").filter(~is_sale).sum(),
        secondary_amount=pl.col("signed_net_amount").sum(),
    )
    stock = (
        daily.with_columns(_month("date"))
        .group_by("distributor_code", "month_start")
        .agg(
            stock_build_up_units=(
                pl.col("receipts") - pl.col("sales") + pl.col("market_returns") - pl.col("returns_to_brand")
            ).sum(),
            closing_stock_units=pl.col("closing").filter(pl.col("date") == pl.col("date").max()).sum(),
            stock_days=pl.col("date").n_unique(),
        )
    )
    out_units = pl.col("secondary_billed_units") + pl.col("secondary_free_units") - pl.col("secondary_returned_units")
    return (
        erp.join(sold, on=["distributor_code", "month_start"], how="full", coalesce=True)
        .join(stock, on=["distributor_code", "month_start"], how="left")
        .with_columns(
            pl.col(c).fill_null(0)
            for c in (
                "primary_units",
                "primary_amount",
                "secondary_billed_units",
                "secondary_free_units",
                "secondary_returned_units",
                "secondary_amount",
            )
        )
        .with_columns(secondary_out_units=out_units)
        .with_columns(
            primary_secondary_ratio=pl.when(pl.col("secondary_out_units") > 0).then(
                pl.col("primary_units") / pl.col("secondary_out_units")
            ),
            days_of_cover=pl.when(pl.col("secondary_out_units") > 0).then(
                pl.col("closing_stock_units") / (pl.col("secondary_out_units") / pl.col("stock_days"))
            ),
        )
        .with_columns(is_stuffing_signal=pl.col("primary_secondary_ratio").fill_null(0) > STUFFING_RATIO)
        .sort("distributor_code", "month_start")
    )


def month_days(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]
