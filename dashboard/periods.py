"""The reporting period every page shares (dash_periods: mtd, l4w, fytd), kept in the URL as `?period=`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard.drill import PERIODS
from dashboard.warehouse import Session

PERIODS_SQL = "select * from dash_periods order by sort_order"


@dataclass(frozen=True)
class Period:
    period: str
    label: str
    as_of: date
    start: date
    end: date
    previous_start: date
    previous_end: date
    last_year_start: date
    last_year_end: date
    flags: dict[str, bool]

    def has_previous(self, source: str) -> bool:
        return self.flags[f"has_previous_{source}"]

    def has_last_year(self, source: str) -> bool:
        return self.flags[f"has_last_year_{source}"]

    def describe(self) -> str:
        return (
            f"{self.label}: {self.start:%d %b %Y} – {self.end:%d %b %Y}; previous {self.previous_start:%d %b} – "
            f"{self.previous_end:%d %b %Y}; last year {self.last_year_start:%d %b} – {self.last_year_end:%d %b %Y}"
        )


def load(session: Session) -> dict[str, Period]:
    rows = session.frame(PERIODS_SQL, label="periods")
    out = {}
    for row in rows.iter_rows(named=True):
        out[row["period"]] = Period(
            period=row["period"],
            label=row["period_label"],
            as_of=row["as_of_date"],
            start=row["start_date"],
            end=row["end_date"],
            previous_start=row["previous_start"],
            previous_end=row["previous_end"],
            last_year_start=row["last_year_start"],
            last_year_end=row["last_year_end"],
            flags={k: bool(v) for k, v in row.items() if k.startswith("has_")},
        )
    return out


def _set_period(key: str) -> None:
    chosen = st.session_state.get(key)
    if chosen:
        st.query_params["period"] = chosen


def picker(periods: dict[str, Period], key: str = "period_picker") -> Period:
    """A period switch (segmented control) bound to `?period=`; mtd by default."""
    current = st.query_params.get("period")
    if current not in periods:
        current = "mtd" if "mtd" in periods else next(iter(periods))
    st.session_state[key] = current
    st.segmented_control(
        "Period",
        options=[p for p in PERIODS if p in periods],
        format_func=lambda p: periods[p].label,
        key=key,
        on_change=_set_period,
        args=(key,),
        label_visibility="collapsed",
    )
    chosen = periods[current]
    st.caption(chosen.describe())
    return chosen
