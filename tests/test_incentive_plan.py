"""The incentive plan YAML: the shipped default reads, a data folder's own plan wins, a wrong plan is refused with the
file and the place named, and the nightly step keeps the last good plan's tables when the file goes bad."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from dagster import materialize

from orchestration.assets.incentives import incentive_plan
from orchestration.resources import SellthroughResource
from sellthrough.config import Settings
from sellthrough.incentives.plan import DEFAULT_PLAN, PlanError, load_plan, plan_path
from sellthrough.incentives.store import SCHEMAS, derived_path, run_incentive_plan

PLAN = """
rep_plans:
  - name: Old plan
    effective_from: 2026-04-01
    target_measure: units
    target_incentive: 5000
    slabs: [{from_pct: 0, payout_pct: 0, rate: 0}, {from_pct: 90, payout_pct: 100, rate: 0}]
  - name: New plan
    effective_from: 2026-08-01
    target_measure: value
    target_incentive: 8000
    slabs: [{from_pct: 0, payout_pct: 0, rate: 1}]
    cap_pct: 120
    gates: {min_lines_per_call: 2, when_unmeasured: fail}
retailer_programmes:
  - name: Loyalty
    effective_from: 2026-04-01
    loyalty_slabs: [{from_amount: 0, payout_pct: 0}, {from_amount: 1000, payout_pct: 1}]
"""


def _write(folder: Path, text: str) -> Path:
    (folder / "config").mkdir(parents=True, exist_ok=True)
    path = folder / "config" / "incentive_plan.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_default_plan_reads_into_its_tables() -> None:
    plan = load_plan(DEFAULT_PLAN)
    (rep_plan,) = plan.rep_plans
    assert [s.from_pct for s in rep_plan.slabs] == [0, 80, 100]
    assert rep_plan.gates.focus_sku_group == "FOCUS" and rep_plan.cap_pct == 150
    (programme,) = plan.retailer_programmes
    assert programme.channels == ["GT"] and programme.new_sku_group == "NEW"


def test_a_data_folders_own_plan_wins_and_each_plan_has_its_months(tmp_path: Path) -> None:
    assert plan_path(tmp_path / "config") == DEFAULT_PLAN
    path = _write(tmp_path, PLAN)
    assert plan_path(tmp_path / "config") == path
    plan = load_plan(path)
    assert plan.rep_plan_for(date(2026, 3, 1)) is None
    assert plan.rep_plan_for(date(2026, 7, 1)).name == "Old plan"
    assert plan.rep_plan_for(date(2026, 9, 1)).name == "New plan"

    run = run_incentive_plan(Settings.from_env(tmp_path))

    assert (run.error, run.rep_plans, run.retailer_programmes) == (None, 2, 1)
    plans = pl.read_parquet(derived_path(Settings.from_env(tmp_path), "incentive_rep_plans"))
    assert plans.select(
        "plan_name", "target_measure", "cap_pct", "min_lines_per_call", "gate_when_unmeasured"
    ).rows() == [
        ("Old plan", "units", None, None, "pass"),
        ("New plan", "value", 120.0, 2.0, "fail"),
    ]
    slabs = pl.read_parquet(derived_path(Settings.from_env(tmp_path), "incentive_rep_slabs"))
    assert slabs.height == 3 and set(slabs["effective_from"].to_list()) == {date(2026, 4, 1), date(2026, 8, 1)}
    assert plans["plan_file"].to_list() == [str(path)] * 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("target_incentive: 5000", "target_incentve: 5000"), "rep_plans[0].target_incentve: Extra inputs"),
        (("from_pct: 90", "from_pct: 0"), "rep_plans[0].slabs: Value error, slab's from_pct must go up"),
        (("effective_from: 2026-08-01", "effective_from: 2026-08-15"), "2026-08-15 is not the first day of a month"),
        (("effective_from: 2026-08-01", "effective_from: 2026-04-01"), "two rep plans take effect on 2026-04-01"),
        (("target_measure: units", "target_measure: cases"), "rep_plans[0].target_measure: Input should be"),
        (("gates: {", "gates: {min_focus_distribution_pct: 10, "), "needs focus_sku_group"),
        (("{from_amount: 0, payout_pct: 0}, ", ""), "the first loyalty slab's from_amount must start at 0"),
        (("rep_plans:", "rep_plans: ["), "cannot read the incentive plan"),
    ],
)
def test_a_wrong_plan_is_refused_naming_the_file_and_the_place(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    path = _write(tmp_path, PLAN.replace(*change, 1))
    with pytest.raises(PlanError) as refused:
        load_plan(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert problem in str(refused.value)


def test_a_bad_plan_keeps_the_last_good_tables_and_warns(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path)
    first = run_incentive_plan(settings)  # no plan of its own: the shipped default
    assert first.error is None and first.plan_file == DEFAULT_PLAN
    _write(tmp_path, PLAN.replace("target_measure: units", "target_measure: cases"))
    good = pl.read_parquet(derived_path(settings, "incentive_rep_plans"))

    result = materialize(
        [incentive_plan], resources={"sellthrough": SellthroughResource(data_dir=str(tmp_path))}, raise_on_error=False
    )

    assert result.success  # the night goes on
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and check.severity.value == "WARN"
    assert "target_measure" in check.metadata["error"].text
    assert pl.read_parquet(derived_path(settings, "incentive_rep_plans")).equals(good)


def test_a_bad_plan_with_no_earlier_tables_leaves_them_empty(tmp_path: Path) -> None:
    _write(tmp_path, "rep_plans: 3\n")
    run = run_incentive_plan(Settings.from_env(tmp_path))
    assert run.error and "rep_plans" in run.error
    for table, schema in SCHEMAS.items():
        frame = pl.read_parquet(derived_path(Settings.from_env(tmp_path), table))
        assert frame.height == 0 and frame.schema == pl.Schema(schema)


def test_the_command_checks_a_plan_and_starts_one_from_the_default(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sellthrough.cli import app

    runner = CliRunner()
    started = runner.invoke(app, ["incentive-plan", "--data-dir", str(tmp_path), "--start-from-default"])
    assert started.exit_code == 0, started.output
    copied = tmp_path / "config" / "incentive_plan.yml"
    assert copied.read_bytes() == DEFAULT_PLAN.read_bytes()
    said = " ".join(started.output.split())  # rich wraps at the terminal's width
    assert ": valid" in said and "cap 150%;" in said and "from 80%: 80% + 1/pt" in said
    again = runner.invoke(app, ["incentive-plan", "--data-dir", str(tmp_path), "--start-from-default"])
    assert again.exit_code == 2  # never overwrites finance's file
    copied.write_text(copied.read_text().replace("cap_pct: 150", "cap_pct: -1"))
    refused = runner.invoke(app, ["incentive-plan", "--data-dir", str(tmp_path)])
    assert refused.exit_code == 2 and "rep_plans[0].cap_pct" in " ".join(refused.output.split())
