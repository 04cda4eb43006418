"""Drill-down: national > zone > region > state > distributor > beat > outlet and brand > category > SKU, by rep
and by retailer class or channel. Every level is a click on a table row or a chart bar; the drill state lives in
the URL (dashboard/drill.py) and the breadcrumbs lead back up."""

from dataclasses import replace

import altair as alt
import polars as pl
import streamlit as st

from dashboard import periods, ui
from dashboard.drill import COLUMNS, FILTER_DIMENSIONS, GEO_LEVELS, TITLES, DrillState

session = ui.night()
state = DrillState.from_query(st.query_params.to_dict())
all_periods = periods.load(session)
st.title("Drill-down")
period = periods.picker(all_periods)
state = replace(state, period=period.period)


def label_of(level: str, value: str) -> str:
    """The name shown for a level's value (a distributor's, beat's, outlet's, SKU's or rep's name)."""
    key, label = COLUMNS[level]
    if key == label:
        return value
    name = session.value(
        f"select any_value({label}) from dash_sales_periods where {key} = ?",  # noqa: S608 (columns: drill.COLUMNS)
        [value],
        label=f"name of {level}",
    )
    return f"{name} ({value})" if name else value


def go_to(target: DrillState) -> None:
    ui.navigate(target.to_query())


# breadcrumbs: the geography, the products, the filters (a click goes back up / removes the filter)
with st.container(horizontal=True, vertical_alignment="center", key="breadcrumbs"):
    st.button("India", key="crumb_geo_0", on_click=go_to, args=(state.up_to_geo(0),), type="tertiary")
    for depth, (level, value) in enumerate(state.geo, start=1):
        st.markdown("›")
        st.button(
            f"{TITLES[level]}: {label_of(level, value)}",
            key=f"crumb_geo_{depth}",
            on_click=go_to,
            args=(state.up_to_geo(depth),),
            type="tertiary",
        )
    st.markdown("|")
    st.button("All products", key="crumb_product_0", on_click=go_to, args=(state.up_to_product(0),), type="tertiary")
    for depth, (level, value) in enumerate(state.product, start=1):
        st.markdown("›")
        st.button(
            f"{TITLES[level]}: {label_of(level, value)}",
            key=f"crumb_product_{depth}",
            on_click=go_to,
            args=(state.up_to_product(depth),),
            type="tertiary",
        )
    for dimension, value in state.filters:
        st.button(
            f"{TITLES[dimension]}: {label_of(dimension, value)} ✕",
            key=f"crumb_filter_{dimension}",
            on_click=go_to,
            args=(state.without_filter(dimension),),
        )

where, params = state.where()
SLICE_SQL = f"""
select sum(net_amount) as net_amount, sum(previous_net_amount) as previous_net_amount,
    sum(last_year_net_amount) as last_year_net_amount, sum(net_units) as net_units,
    count(distinct master_outlet_id) filter (where net_amount > 0) as buying_outlets
from dash_sales_periods where {where}
"""  # noqa: S608 (the condition's columns come from drill.COLUMNS, values are bound)
slice_totals = session.frame(SLICE_SQL, params, label="slice totals").row(0, named=True)
previous = slice_totals["previous_net_amount"] if period.has_previous("secondary") else None
last_year = slice_totals["last_year_net_amount"] if period.has_last_year("secondary") else None
cards = st.columns(4)
with cards[0]:
    ui.metric(
        "Net secondary sales",
        ui.rupees(slice_totals["net_amount"]),
        ui.change_pct(slice_totals["net_amount"], previous),
    )
with cards[1]:
    ui.metric("Previous period", ui.rupees(previous), None)
with cards[2]:
    ui.metric(
        "Last year", ui.rupees(last_year), ui.change_pct(slice_totals["net_amount"], last_year) if last_year else None
    )
with cards[3]:
    ui.metric("Buying outlets", ui.units(slice_totals["buying_outlets"]), None)

if state.geo and state.geo[-1][0] == "outlet":
    OUTLET_SQL = """
    select outlet_name, status, last_purchase_date, days_since_last_purchase, beat_name, rep_name, channel,
        outlet_class, pareto_class, net_sales_90d_amount
    from dash_outlets where master_outlet_id = ?
    """
    outlet = session.frame(OUTLET_SQL, [state.geo[-1][1]], label="outlet profile")
    if not outlet.is_empty():
        row = outlet.row(0, named=True)
        st.info(
            f"**{row['outlet_name']}** · {row['status']} · last purchase {row['last_purchase_date']} · beat "
            f"{row['beat_name']} · rep {row['rep_name']} · {row['channel']} class {row['outlet_class']} · Pareto "
            f"{row['pareto_class'] or '–'} · 90 days {ui.rupees(row['net_sales_90d_amount'])}"
        )

level = state.group_level
GROUPINGS = {"geo": "Next level", "product": "Product", "rep": "Rep", "channel": "Channel", "class": "Outlet class"}
available = ["geo", "product", *[d for d in FILTER_DIMENSIONS if d not in dict(state.filters)]]


def regroup() -> None:
    chosen = st.session_state.get("group_by") or "geo"
    go_to(replace(state, by=chosen))


st.session_state["group_by"] = state.by if state.by in available else "geo"
st.segmented_control("Group by", options=available, format_func=GROUPINGS.get, key="group_by", on_change=regroup)

if level is None:
    st.caption("The deepest level: one outlet and one SKU.")

else:
    key_column, label_column = COLUMNS[level]
    GROUP_SQL = f"""
    select {key_column} as code, any_value({label_column}) as name, sum(net_amount) as net_amount,
        sum(previous_net_amount) as previous_net_amount, sum(last_year_net_amount) as last_year_net_amount,
        sum(net_units) as net_units, count(distinct master_outlet_id) filter (where net_amount > 0) as buying_outlets
    from dash_sales_periods where {where}
    group by 1
    order by net_amount desc, code
    """  # noqa: S608 (columns from drill.COLUMNS, values bound)
    groups = session.frame(GROUP_SQL, params, label=f"by {level}")
    total = groups["net_amount"].sum() if not groups.is_empty() else 0
    groups = groups.with_columns(
        growth_pct=(
            (100 * (pl.col("net_amount") - pl.col("previous_net_amount")) / pl.col("previous_net_amount")).round(1)
            if period.has_previous("secondary")
            else pl.lit(None, pl.Float64)
        ),
        growth_vs_last_year_pct=(
            (100 * (pl.col("net_amount") - pl.col("last_year_net_amount")) / pl.col("last_year_net_amount")).round(1)
            if period.has_last_year("secondary")
            else pl.lit(None, pl.Float64)
        ),
        share_pct=(100 * pl.col("net_amount") / total).round(1) if total else pl.lit(None, pl.Float64),
    ).with_columns(pl.col("code").fill_null("(none)"), pl.col("name").fill_null(pl.col("code")))
    if not period.has_previous("secondary"):
        groups = groups.with_columns(previous_net_amount=pl.lit(None, pl.Float64))
    if not period.has_last_year("secondary"):
        groups = groups.with_columns(last_year_net_amount=pl.lit(None, pl.Float64))

    drill_key = "drill_" + "_".join(ui.slug(v) for v in state.to_query().values())[:80]

    def drill_into(row: int) -> None:
        code = groups["code"][row]
        if code != "(none)":
            go_to(state.drilled(level, code))

    st.subheader(f"By {TITLES[level].lower()}")
    chart_frame = groups.head(25).to_pandas()
    pick = alt.selection_point(name="pick", fields=["code"])
    bars = (
        alt.Chart(chart_frame)
        .mark_bar()
        .encode(
            x=alt.X("net_amount:Q", title="net sales (₹)"),
            y=alt.Y("name:N", sort="-x", title=None),
            color=alt.condition(alt.datum.growth_pct < 0, alt.value("#d9534f"), alt.value("#4c78a8")),
            tooltip=["code", "name", "net_amount", "growth_pct", "buying_outlets"],
        )
        .add_params(pick)
    )

    clicked = st.altair_chart(bars, width="stretch", on_select="rerun", key=f"{drill_key}_chart")
    picked = clicked.selection.get("pick") if clicked else None
    if picked and picked[0].get("code") not in (None, "(none)"):
        go_to(state.drilled(level, picked[0]["code"]))
        st.rerun()
    ui.table(
        groups.select(
            "code",
            "name",
            "net_amount",
            "previous_net_amount",
            "growth_pct",
            "last_year_net_amount",
            "growth_vs_last_year_pct",
            "net_units",
            "buying_outlets",
            "share_pct",
        ),
        drill_key,
        on_select=drill_into if level in GEO_LEVELS or level in COLUMNS else None,
        column_config={
            **ui.money_columns("net_amount", "previous_net_amount", "last_year_net_amount"),
            **ui.pct_columns("growth_pct", "growth_vs_last_year_pct"),
        },
        file_name=f"sales_by_{level}",
    )
    st.caption("Click a row or a bar to drill into it.")
