"""Overview: primary, secondary, stock and scheme performance side by side for the period, against the previous
period and last year where history allows; the primary-to-secondary ratio per distributor."""

import altair as alt
import polars as pl
import streamlit as st

from dashboard import periods, ui

session = ui.night()
st.title("Overview")
period = periods.picker(periods.load(session))

TOTALS_SQL = """
select
    sum(primary_amount) as primary_amount, sum(previous_primary_amount) as previous_primary_amount,
    sum(last_year_primary_amount) as last_year_primary_amount,
    sum(primary_units) as primary_units, sum(previous_primary_units) as previous_primary_units,
    sum(last_year_primary_units) as last_year_primary_units,
    sum(secondary_amount) as secondary_amount, sum(previous_secondary_amount) as previous_secondary_amount,
    sum(last_year_secondary_amount) as last_year_secondary_amount,
    sum(secondary_units) as secondary_units, sum(previous_secondary_units) as previous_secondary_units,
    sum(last_year_secondary_units) as last_year_secondary_units,
    sum(closing_units) as closing_units, sum(previous_closing_units) as previous_closing_units,
    sum(last_year_closing_units) as last_year_closing_units,
    sum(scheme_sell_through_amount) as scheme_sell_through_amount, sum(scheme_earned_amount) as scheme_earned_amount,
    sum(scheme_claimed_amount) as scheme_claimed_amount, sum(scheme_leakage_amount) as scheme_leakage_amount,
    sum(previous_scheme_claimed_amount) as previous_scheme_claimed_amount,
    sum(last_year_scheme_claimed_amount) as last_year_scheme_claimed_amount
from dash_distributor_periods
where period = ?
"""
totals = session.frame(TOTALS_SQL, [period.period], label="overview totals").row(0, named=True)

# measure, value column, its source (for "where history allows"), kind
MEASURES = (
    ("Primary sales (₹)", "primary_amount", "primary"),
    ("Secondary sales (₹)", "secondary_amount", "secondary"),
    ("Primary units", "primary_units", "primary"),
    ("Secondary units", "secondary_units", "secondary"),
    ("Closing stock (units)", "closing_units", "stock"),
    ("Scheme claims (₹)", "scheme_claimed_amount", "secondary"),
)


def compared(column: str, source: str) -> tuple[float | None, float | None, float | None]:
    current = totals[column]
    previous = totals.get(f"previous_{column}") if period.has_previous(source) else None
    last_year = totals.get(f"last_year_{column}") if period.has_last_year(source) else None
    return current, previous, last_year


cards = st.columns(4)
for card, (label, column, source) in zip(cards, (MEASURES[0], MEASURES[1], MEASURES[4], MEASURES[5]), strict=True):
    current, previous, _ = compared(column, source)
    with card:
        value = ui.units(current) if "units" in column else ui.rupees(current)
        ui.metric(label.replace(" (₹)", ""), value, ui.change_pct(current, previous), "Against the previous period")

side_by_side = pl.DataFrame(
    [
        {
            "measure": label,
            "this_period": current,
            "previous_period": previous,
            "change_pct": ui.change_pct(current, previous),
            "last_year": last_year,
            "change_vs_last_year_pct": ui.change_pct(current, last_year),
        }
        for label, column, source in MEASURES
        for current, previous, last_year in [compared(column, source)]
    ]
    + [
        {
            "measure": "Scheme earned (₹)",
            "this_period": totals["scheme_earned_amount"],
            "previous_period": None,
            "change_pct": None,
            "last_year": None,
            "change_vs_last_year_pct": None,
        },
        {
            "measure": "Scheme leakage (₹)",
            "this_period": totals["scheme_leakage_amount"],
            "previous_period": None,
            "change_pct": None,
            "last_year": None,
            "change_vs_last_year_pct": None,
        },
    ],
    schema_overrides={"previous_period": pl.Float64, "last_year": pl.Float64},
)
ui.table(
    side_by_side,
    "overview_side_by_side",
    title="Side by side",
    column_config={
        **ui.money_columns("this_period", "previous_period", "last_year"),
        **ui.pct_columns("change_pct", "change_vs_last_year_pct"),
    },
)
st.caption(
    "Empty comparisons: the history does not cover that window. Stock is the closing stock on the window's last "
    "day; schemes count the claim months the window touches."
)

RATIO_SQL = """
select distributor_code, distributor_name, zone, region, state, primary_units, secondary_units,
    primary_to_secondary_units_ratio, previous_primary_to_secondary_units_ratio, primary_amount, secondary_amount,
    closing_units, days_of_cover, is_overstocked
from dash_distributor_periods
where period = ?
order by primary_to_secondary_units_ratio desc nulls last, distributor_code
"""
ratios = session.frame(RATIO_SQL, [period.period], label="primary to secondary")
st.subheader("Primary to secondary, per distributor")
st.caption(
    "Units the brand billed the distributor per unit the distributor sold to retailers. Well above 1 for weeks: "
    "stock piles up at the distributor (channel stuffing); see its days of cover."
)
if not ratios.is_empty():
    chart = (
        alt.Chart(ratios.to_pandas())
        .mark_bar()
        .encode(
            x=alt.X("primary_to_secondary_units_ratio:Q", title="primary / secondary units"),
            y=alt.Y("distributor_name:N", sort="-x", title=None),
            color=alt.condition(
                alt.datum.primary_to_secondary_units_ratio > 1.2, alt.value("#d9534f"), alt.value("#4c78a8")
            ),
            tooltip=["distributor_code", "distributor_name", "primary_units", "secondary_units", "days_of_cover"],
        )
    )
    rule = alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.datum(1))
    st.altair_chart(chart + rule, width="stretch")


def open_distributor(row: int) -> None:
    chosen = ratios.row(row, named=True)
    ui.go(
        "views/drilldown.py",
        {
            "period": period.period,
            "zone": chosen["zone"],
            "region": chosen["region"],
            "state": chosen["state"],
            "distributor": chosen["distributor_code"],
        },
    )


ui.table(
    ratios,
    "overview_ratio",
    on_select=open_distributor,
    column_config=ui.money_columns("primary_amount", "secondary_amount"),
    file_name="primary_to_secondary",
)
st.caption("Click a distributor to open it in the Drill-down.")
