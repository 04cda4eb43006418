"""The brand's supply failures (NetworkConfig.supply_disruptions, generator/supply.py): depot shortages and
credit holds bill orders short in the simulation, and the stock-out prediction reads them from the invoices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from generator import NetworkConfig
from generator.masters import build_network
from generator.problems import plan_problems
from generator.simulate import simulate
from generator.supply import plan_supply
from generator.truth import daily_frame, primary_frame

CONFIG = NetworkConfig(
    seed=5, distributors=4, outlets=80, skus=10, days=240, start=date(2026, 1, 5), supply_disruptions=True
)


def test_shortages_and_holds_bill_orders_short() -> None:
    network = build_network(CONFIG)
    plan = plan_problems(network)
    supply = plan_supply(network)
    assert supply is not None
    kinds = {d.kind for d in supply.disruptions}
    assert kinds == {"depot_shortage", "credit_hold"}
    sim = simulate(network, plan)
    invoices = primary_frame(sim).filter(pl.col("doc_type") == "invoice")
    cuts = pl.DataFrame(sim.cuts, schema=["distributor_code", "sku_code", "day", "ordered", "billed"], orient="row")
    assert cuts.height > 0 and (cuts["billed"] < cuts["ordered"]).all()
    for d in supply.disruptions:
        during = invoices.filter(pl.col("doc_date") >= d.start, pl.col("doc_date") <= d.end)
        if d.kind == "credit_hold":  # nothing billed to the distributor while it is on hold
            assert during.filter(pl.col("distributor_code") == d.key).is_empty()
        elif d.fill == 0:  # nothing of the SKU billed to anyone while the depot is out of it
            assert during.filter(pl.col("sku_code") == d.key).is_empty()
    # every cut falls in a disruption of its pair (no planted rationed pair here)
    for distributor, sku, day, _, _ in cuts.iter_rows():
        assert supply.fill(distributor, sku, day) < 1.0
    # the world without them bills every order in full and runs out less
    calm = replace(network, config=replace(CONFIG, supply_disruptions=False))
    assert plan_supply(calm) is None
    calm_sim = simulate(calm, plan)
    assert not calm_sim.cuts
    lost = daily_frame(sim)["lost_sales_units"].sum()
    assert lost > daily_frame(calm_sim)["lost_sales_units"].sum()
    # the order fill rate (units billed over units asked, re-asks counted) stays in a real depot's range
    asked = invoices["quantity_units"].sum() + (cuts["ordered"] - cuts["billed"]).sum()
    assert 0.7 < invoices["quantity_units"].sum() / asked < 0.97
    assert all(d.end - d.start <= timedelta(days=27) for d in supply.disruptions)
