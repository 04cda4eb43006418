"""`generate`: the whole sample network, masters to truth, in one deterministic pass."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

from generator.anomalies import plan_anomalies
from generator.config import NetworkConfig
from generator.demand_patterns import patterns_truth, plan_patterns, with_promotions
from generator.field_app import write_field_app, write_order_book
from generator.files import write_delivered
from generator.incentives import build_incentives, with_unprofitable_scheme
from generator.master_faults import build_master_files
from generator.masters import build_network
from generator.monthly import stock_truth, write_primary_files, write_scheme_claims, write_stock_statements
from generator.pos import write_pos
from generator.problems import plan_problems
from generator.retailer_stock import write_retailer_stock
from generator.sales_files import write_deployment_layouts, write_sales_files
from generator.simulate import simulate
from generator.supply import plan_supply, rationed_problem, with_rationed_pair
from generator.tally import sku_units_csv
from generator.truth import (
    business_problems,
    daily_frame,
    dump_json,
    primary_frame,
    secondary_frame,
    sorted_file_faults,
    write_truth,
)
from generator.whatsapp import write_whatsapp

Progress = Callable[[str, int, int], None]
STEPS = 6


def generate(data_dir: Path, config: NetworkConfig | None = None, progress: Progress | None = None) -> dict:
    """Write `data_dir/inbox/...` (the files the world sends) and `data_dir/truth/...` (what really happened).

    Any previous `inbox/` and `truth/` under data_dir are deleted first. The same config writes byte-identical
    files with identical mtimes (each file's mtime is its simulated delivery time, UTC). The layouts its
    distributors need are written where a deployment keeps its own (`config/layouts/<kind>/<CODE>.yml`, as a data
    engineer would: e.g. the positions of a headerless CSV). Returns a summary.
    """
    config = config or NetworkConfig()
    data_dir = Path(data_dir)
    inbox, truth_dir = data_dir / "inbox", data_dir / "truth"

    def report(step: str, done: int, total: int = STEPS) -> None:
        if progress is not None:
            progress(step, done, total)

    for folder in (inbox, truth_dir):
        if folder.exists():
            shutil.rmtree(folder)

    report("building the network", 0)
    network = build_network(config)
    plan = plan_problems(network)
    network = with_promotions(with_unprofitable_scheme(network, plan))  # promotions: realistic demand only
    plan = with_rationed_pair(network, plan)
    masters_at = datetime.combine(config.start - timedelta(days=1), time(0, 30))
    master_names = []
    pos = write_pos(network, inbox)
    masters = build_master_files(network)
    extra_masters = {
        "chain_stores.csv": pos.chain_stores,
        "chain_products.csv": pos.chain_products,
        "sku_units.csv": sku_units_csv(network),
    }
    for name, data in {**masters.files, **extra_masters}.items():
        write_delivered(inbox / "masters" / "BRAND" / name, data, masters_at)
        master_names.append(f"masters/BRAND/{name}")
    for name, data in masters.moved_outlets.items():  # an outlet moves beat mid-period (outlet history)
        write_delivered(inbox / "masters" / "BRAND" / name, data, datetime.combine(masters.moved_at, time(0, 30)))
        master_names.append(f"masters/BRAND/{name}")
    report("simulating days", 1)

    sim = simulate(network, plan)
    report("writing distributor sales files", 2)

    sales = write_sales_files(network, sim, inbox, progress)
    layout_files = write_deployment_layouts(network, data_dir / "config" / "layouts")
    report("writing primary sales, stock statements, scheme claims", 3)

    primary_files = write_primary_files(network, sim, inbox)
    stock, discrepancies = stock_truth(network, sim, config.rng("stock-statements"))
    stock_files = write_stock_statements(network, stock, inbox, config.rng("stock-delivery"))
    claim_files, overclaim = write_scheme_claims(network, sim, plan, inbox, config.rng("claims"))
    chats = write_whatsapp(network, plan, inbox)
    chat_files, whatsapp_orders = chats.files, chats.truth
    write_delivered(inbox / "masters" / "BRAND" / "chat_senders.csv", chats.senders, masters_at)
    master_names.append("masters/BRAND/chat_senders.csv")
    sfa_files, sfa_truth = write_field_app(network, plan, inbox)
    book_files, order_book = write_order_book(network, plan, inbox)  # none unless orders_booked_ahead
    report("writing the truth", 4)

    secondary = secondary_frame(sales.truth)
    retailer_stock = write_retailer_stock(network, secondary, inbox)  # shelf counts and store inventory (issue 16)
    daily = daily_frame(sim)
    primary = primary_frame(sim)
    incentives = build_incentives(network, plan, sim, secondary, masters.moves, sfa_truth, primary, daily, overclaim)
    for name, data in incentives.files.items():  # targets and SKU groups, set at the start of the period
        write_delivered(inbox / "masters" / "BRAND" / name, data, masters_at)
        master_names.append(f"masters/BRAND/{name}")
    problems = business_problems(network, plan, secondary, daily, discrepancies, overclaim) + incentives.problems
    problems += rationed_problem(network, plan, daily)
    file_faults = sorted_file_faults(sales.faults)
    files = {
        "masters": len(master_names),
        "distributor_sales": len(sales.files),
        "tally_daybook": len(sales.tally_files),
        "primary_sales": len(primary_files),
        "stock_statement": len(stock_files),
        "scheme_claims": len(claim_files),
        "whatsapp": len(chat_files),
        "sfa": len(sfa_files) + len(book_files),
        "pos_sales": len(pos.files),
        "retailer_stock": len(retailer_stock.files),
    }
    expected = Counter(secondary["expected"].to_list())
    summary = {
        "files": files,
        "layout_files": layout_files,
        "secondary_lines": secondary.height,
        "secondary_lines_loaded": expected.get("loaded", 0),
        "secondary_lines_quarantined": expected.get("quarantined", 0),
        "primary_lines": primary.height,
        "whatsapp_order_lines": whatsapp_orders.height,
        "sfa_visits": sfa_truth["sfa_visits"].height,
        "sfa_order_lines": sfa_truth["sfa_orders"].height,
        "pos_lines": pos.truth.height,
        "master_faults": len(masters.faults),
        "planted_problems": len(problems),
        "planted_problems_by_type": dict(Counter(p["problem"] for p in problems)),
        "file_faults": dict(Counter(f["fault"] for f in file_faults)),
    }
    manifest = {
        "seed": config.seed,
        "distributors": config.distributors,
        "outlets": config.outlets,
        "skus": config.skus,
        "days": config.days,
        "start": config.start,
        "end": config.end,
        "layouts": {d.code: d.layout for d in network.distributors},
        "cadence": {d.code: d.cadence for d in network.distributors},
        "outlet_master_rows": len(network.outlets),
        "daily_stock_rows": daily.height,
        **summary,
    }
    write_truth(
        truth_dir,
        secondary=secondary,
        primary=primary,
        stock=stock,
        daily=daily,
        problems=problems,
        file_faults=file_faults,
        manifest=manifest,
    )
    whatsapp_orders.write_parquet(truth_dir / "whatsapp_orders.parquet")
    for name, frame in sfa_truth.items():
        frame.write_parquet(truth_dir / f"{name}.parquet")
    if book_files:
        order_book.write_parquet(truth_dir / "order_book.parquet")
    pos.truth.write_parquet(truth_dir / "pos_sales.parquet")
    for name, frame in incentives.truth.items():
        frame.write_parquet(truth_dir / f"{name}.parquet")
    dump_json(truth_dir / "pos_faults.json", pos.faults)
    retailer_stock.truth.write_parquet(truth_dir / "retailer_stock.parquet")
    retailer_stock.shelf_outs.write_parquet(truth_dir / "retailer_shelf_outs.parquet")
    plan_anomalies(network, plan).truth().write_parquet(truth_dir / "sales_anomalies.parquet")
    dump_json(truth_dir / "retailer_understocked.json", retailer_stock.understocked)
    dump_json(truth_dir / "tally_files.json", sales.tally_files)
    dump_json(truth_dir / "master_faults.json", masters.faults)
    dump_json(truth_dir / "outlet_moves.json", masters.moves)
    if config.realistic_demand:
        dump_json(truth_dir / "demand_patterns.json", patterns_truth(plan_patterns(network)))
    supply = plan_supply(network)
    if supply is not None:
        dump_json(truth_dir / "supply_disruptions.json", supply.truth())
    report("done", STEPS)
    return summary
