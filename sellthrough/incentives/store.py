"""The incentive plan as tables dbt reads: `derived/incentive_*/current.parquet`, written before every dbt build.

- `incentive_rep_plans`: one row per rep plan (its target measure, incentive, cap, gates);
- `incentive_rep_slabs`: its achievement slabs (from_pct, payout_pct at from_pct, rate per point above);
- `incentive_retailer_programmes`: one row per retailer programme (channels, focus and new-SKU bonuses);
- `incentive_retailer_slabs`: its loyalty slabs (from_amount, payout_pct).
Each carries the plan's effective_from (its key: one plan per month) and the file and sha256 it came from.

A plan file that cannot be read leaves the tables as they were (the last good plan keeps paying, and the error is
reported: the nightly run's `incentive_plan_valid` check); with no earlier tables, they are written empty, so the
incentive marts are empty rather than wrong, and the rest of the night runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest.core.lake import write_parquet_atomic
from sellthrough.config import Settings
from sellthrough.incentives.plan import IncentivePlan, PlanError, file_sha256, load_plan, plan_path

SOURCE = {"plan_file": pl.String, "plan_sha256": pl.String}
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "incentive_rep_plans": {
        "plan_name": pl.String(),
        "effective_from": pl.Date(),
        "target_measure": pl.String(),
        "target_incentive_amount": pl.Float64(),
        "cap_pct": pl.Float64(),
        "min_productive_call_pct": pl.Float64(),
        "min_lines_per_call": pl.Float64(),
        "min_focus_distribution_pct": pl.Float64(),
        "focus_sku_group": pl.String(),
        "gate_when_unmeasured": pl.String(),
        **SOURCE,
    },
    "incentive_rep_slabs": {
        "effective_from": pl.Date(),
        "slab_number": pl.Int32(),
        "from_pct": pl.Float64(),
        "payout_pct": pl.Float64(),
        "rate": pl.Float64(),
    },
    "incentive_retailer_programmes": {
        "programme_name": pl.String(),
        "effective_from": pl.Date(),
        "channels": pl.String(),  # `;`-separated, null for every channel (a plain string: every reader takes it)
        "focus_sku_group": pl.String(),
        "focus_bonus_pct": pl.Float64(),
        "new_sku_group": pl.String(),
        "new_sku_bonus_amount": pl.Float64(),
        **SOURCE,
    },
    "incentive_retailer_slabs": {
        "effective_from": pl.Date(),
        "slab_number": pl.Int32(),
        "from_amount": pl.Float64(),
        "payout_pct": pl.Float64(),
    },
}


@dataclass(frozen=True)
class PlanRun:
    plan_file: Path
    rep_plans: int
    retailer_programmes: int
    error: str | None  # the plan file could not be used: the tables kept the last good plan (or are empty)


def derived_path(settings: Settings, table: str) -> Path:
    return settings.data_dir / "derived" / table / "current.parquet"


def plan_tables(plan: IncentivePlan, plan_file: str = "", sha256: str = "") -> dict[str, pl.DataFrame]:
    """The plan's four tables, typed as SCHEMAS."""
    source = {"plan_file": plan_file, "plan_sha256": sha256}
    rows: dict[str, list[dict]] = {table: [] for table in SCHEMAS}
    for rep_plan in plan.rep_plans:
        gates = rep_plan.gates
        rows["incentive_rep_plans"].append(
            {
                "plan_name": rep_plan.name,
                "effective_from": rep_plan.effective_from,
                "target_measure": rep_plan.target_measure,
                "target_incentive_amount": rep_plan.target_incentive,
                "cap_pct": rep_plan.cap_pct,
                "min_productive_call_pct": gates.min_productive_call_pct,
                "min_lines_per_call": gates.min_lines_per_call,
                "min_focus_distribution_pct": gates.min_focus_distribution_pct,
                "focus_sku_group": gates.focus_sku_group,
                "gate_when_unmeasured": gates.when_unmeasured,
                **source,
            }
        )
        rows["incentive_rep_slabs"] += [
            {"effective_from": rep_plan.effective_from, "slab_number": n, **slab.model_dump()}
            for n, slab in enumerate(rep_plan.slabs, start=1)
        ]
    for programme in plan.retailer_programmes:
        rows["incentive_retailer_programmes"].append(
            {
                "programme_name": programme.name,
                "effective_from": programme.effective_from,
                "channels": ";".join(programme.channels) if programme.channels is not None else None,
                "focus_sku_group": programme.focus_sku_group,
                "focus_bonus_pct": programme.focus_bonus_pct,
                "new_sku_group": programme.new_sku_group,
                "new_sku_bonus_amount": programme.new_sku_bonus,
                **source,
            }
        )
        rows["incentive_retailer_slabs"] += [
            {"effective_from": programme.effective_from, "slab_number": n, **slab.model_dump()}
            for n, slab in enumerate(programme.loyalty_slabs, start=1)
        ]
    return {table: pl.DataFrame(rows[table], schema=schema) for table, schema in SCHEMAS.items()}


def run_incentive_plan(settings: Settings) -> PlanRun:
    """Read the data directory's plan (or the shipped default) and write its tables; see the module doc for a
    plan that cannot be read."""
    path = plan_path(settings.config_dir)
    try:
        plan = load_plan(path)
    except PlanError as problem:
        for table, schema in SCHEMAS.items():
            if not derived_path(settings, table).exists():
                write_parquet_atomic(pl.DataFrame(schema=schema), derived_path(settings, table))
        return PlanRun(path, 0, 0, str(problem))
    for table, frame in plan_tables(plan, str(path), file_sha256(path)).items():
        write_parquet_atomic(frame, derived_path(settings, table))
    return PlanRun(path, len(plan.rep_plans), len(plan.retailer_programmes), None)
