"""The incentive plans in YAML (`<data dir>/config/incentive_plan.yml`, else the shipped `default_plan.yml`):
what they may say, and how a file is read and checked.

A plan file is business configuration that finance reads and edits; dbt computes what the plans pay
(fct_rep_incentive, fct_retailer_incentive) from the tables `sellthrough.incentives.store` writes of it. Reading
refuses anything it cannot be sure of (an unknown key, a slab out of order, a date that is not a month's first day)
with an error naming the file and the place in it.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_PLAN = Path(__file__).with_name("default_plan.yml")
PLAN_FILE = "incentive_plan.yml"


class PlanError(ValueError):
    """A plan file that cannot be used; the message names the file and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _first_of_month(value: date) -> date:
    if value.day != 1:
        raise ValueError(f"{value.isoformat()} is not the first day of a month")
    return value


class RepSlab(_Strict):
    from_pct: float = Field(ge=0)
    payout_pct: float = Field(ge=0)
    rate: float = Field(ge=0)


class RepGates(_Strict):
    min_productive_call_pct: float | None = Field(default=None, ge=0, le=100)
    min_lines_per_call: float | None = Field(default=None, ge=0)
    min_focus_distribution_pct: float | None = Field(default=None, ge=0, le=100)
    focus_sku_group: str | None = None
    when_unmeasured: Literal["pass", "fail"] = "pass"

    @model_validator(mode="after")
    def _focus_group_named(self) -> RepGates:
        if self.min_focus_distribution_pct is not None and not self.focus_sku_group:
            raise ValueError("min_focus_distribution_pct needs focus_sku_group (the SKU group of the focus SKUs)")
        return self


def _ordered_from(values: list[float], what: str) -> None:
    if not values or values[0] != 0:
        raise ValueError(f"the first {what} must start at 0")
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"{what} must go up: {values}")


class RepPlan(_Strict):
    name: str = Field(min_length=1)
    effective_from: date
    target_measure: Literal["value", "units"]
    target_incentive: float = Field(gt=0)
    slabs: list[RepSlab] = Field(min_length=1)
    cap_pct: float | None = Field(default=None, gt=0)
    gates: RepGates = RepGates()

    _month = field_validator("effective_from")(_first_of_month)

    @field_validator("slabs")
    @classmethod
    def _slabs_in_order(cls, slabs: list[RepSlab]) -> list[RepSlab]:
        _ordered_from([s.from_pct for s in slabs], "slab's from_pct")
        return slabs


class LoyaltySlab(_Strict):
    from_amount: float = Field(ge=0)
    payout_pct: float = Field(ge=0, le=100)


class RetailerProgramme(_Strict):
    name: str = Field(min_length=1)
    effective_from: date
    channels: list[Literal["GT", "MT", "ECOM"]] | None = None
    loyalty_slabs: list[LoyaltySlab] = Field(min_length=1)
    focus_sku_group: str | None = None
    focus_bonus_pct: float = Field(default=0, ge=0, le=100)
    new_sku_group: str | None = None
    new_sku_bonus: float = Field(default=0, ge=0)

    _month = field_validator("effective_from")(_first_of_month)

    @field_validator("loyalty_slabs")
    @classmethod
    def _slabs_in_order(cls, slabs: list[LoyaltySlab]) -> list[LoyaltySlab]:
        _ordered_from([s.from_amount for s in slabs], "loyalty slab's from_amount")
        return slabs

    @model_validator(mode="after")
    def _groups_named(self) -> RetailerProgramme:
        if self.focus_bonus_pct and not self.focus_sku_group:
            raise ValueError("focus_bonus_pct needs focus_sku_group")
        if self.new_sku_bonus and not self.new_sku_group:
            raise ValueError("new_sku_bonus needs new_sku_group")
        return self


def _one_per_month(items: list, what: str) -> list:
    months = [i.effective_from for i in items]
    repeated = sorted({m.isoformat() for m in months if months.count(m) > 1})
    if repeated:
        raise ValueError(f"two {what} take effect on {', '.join(repeated)}: one plan per month")
    return sorted(items, key=lambda i: i.effective_from)


class IncentivePlan(_Strict):
    rep_plans: list[RepPlan] = []
    retailer_programmes: list[RetailerProgramme] = []

    @field_validator("rep_plans")
    @classmethod
    def _rep_months(cls, plans: list[RepPlan]) -> list[RepPlan]:
        return _one_per_month(plans, "rep plans")

    @field_validator("retailer_programmes")
    @classmethod
    def _programme_months(cls, programmes: list[RetailerProgramme]) -> list[RetailerProgramme]:
        return _one_per_month(programmes, "retailer programmes")

    def rep_plan_for(self, month: date) -> RepPlan | None:
        """The rep plan in force in the month starting `month` (the latest taking effect by then)."""
        return next((p for p in reversed(self.rep_plans) if p.effective_from <= month), None)

    def programme_for(self, month: date) -> RetailerProgramme | None:
        return next((p for p in reversed(self.retailer_programmes) if p.effective_from <= month), None)


def plan_path(config_dir: Path) -> Path:
    """The plan a data directory uses: its own `config/incentive_plan.yml`, else the shipped default."""
    own = config_dir / PLAN_FILE
    return own if own.exists() else DEFAULT_PLAN


def _where(location: tuple) -> str:
    out = ""
    for part in location:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_plan(path: Path) -> IncentivePlan:
    """Read and check a plan file; PlanError names the file and every problem (where, and what is wrong)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as problem:
        raise PlanError(f"{path}: cannot read the incentive plan: {problem}") from None
    if not isinstance(data, dict):
        raise PlanError(f"{path}: an incentive plan is a mapping with rep_plans and retailer_programmes")
    try:
        return IncentivePlan.model_validate(data)
    except ValidationError as invalid:
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in invalid.errors())
        raise PlanError(f"{path}: {problems}") from None


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
