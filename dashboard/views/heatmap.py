"""Heatmap of underperformance: geographies against their last 13 complete weeks, coloured by growth against the
mean of the four weeks before (dash_geo_weekly; "against target" once targets exist). A click on a cell (the
chart's or the table's) opens that cell's outlets, worst change first.

Streamlit does not report clicks on Plotly heatmaps (streamlit issue #8933): the chart is Altair, and the table
below it (single-cell selection) is the same grid for keyboards and tests."""

from datetime import date, timedelta

import altair as alt
import polars as pl
import streamlit as st

from dashboard import ui
from dashboard.drill import TITLES, DrillState

WEEKS = 13
MAX_ROWS = 30  # more rows than a screen: the weakest (lowest mean growth over the weeks shown) first
HEAT_LEVELS = ("zone", "region", "state", "distributor", "beat")
SCOPE_COLUMNS = {"zone": "zone", "region": "region", "state": "state", "distributor": "distributor_code"}
CELL_COLUMNS = {**SCOPE_COLUMNS, "beat": "beat_code"}

session = ui.night()
st.title("Heatmap of underperformance")
query = st.query_params.to_dict()
scope = tuple((level, value) for level, value in DrillState.from_query(query).geo if level in SCOPE_COLUMNS)
default_level = HEAT_LEVELS[min(len(scope), len(HEAT_LEVELS) - 1)] if scope else "distributor"
level = query.get("level") if query.get("level") in HEAT_LEVELS[len(scope) :] else default_level


def set_query(**changes: str | None) -> None:
    current = st.query_params.to_dict()
    current.update({k: v for k, v in changes.items() if v is not None})
    for name in [k for k, v in changes.items() if v is None]:
        current.pop(name, None)
    ui.navigate(current)


def choose_level() -> None:
    set_query(level=st.session_state["heat_level"], cell=None, week=None)


st.session_state["heat_level"] = level
st.segmented_control(
    "Rows",
    options=HEAT_LEVELS[len(scope) :],
    format_func=lambda lv: TITLES[lv],
    key="heat_level",
    on_change=choose_level,
)
if scope:
    st.caption("Within " + " › ".join(f"{TITLES[lv]} {value}" for lv, value in scope))
st.caption(
    "Colour: growth of the week's net secondary sales against the mean of the four weeks before (red: below). "
    "Targets: not loaded yet; the mart carries growth_vs_target_pct for when they are."
)

weeks_desc = session.frame(
    "select distinct week_start from dash_geo_weekly order by week_start desc limit ?", [WEEKS], label="weeks"
)
if weeks_desc.is_empty():
    st.info("No complete week of sales yet.")
else:
    first_week: date = weeks_desc["week_start"].min()
    conditions = ["geo_level = ?", "week_start >= ?"] + [f"{SCOPE_COLUMNS[lv]} = ?" for lv, _ in scope]
    CELLS_SQL = f"""
    select geo_value, geo_label, week_start, net_amount, baseline_amount, growth_pct, target_amount,
        growth_vs_target_pct
    from dash_geo_weekly
    where {" and ".join(conditions)}
    order by geo_label, week_start
    """  # noqa: S608 (columns from SCOPE_COLUMNS, values bound)
    cells = session.frame(CELLS_SQL, [level, first_week, *(v for _, v in scope)], label="heatmap cells")
    geographies = cells["geo_value"].n_unique()
    if geographies > MAX_ROWS:
        weakest = (
            cells.group_by("geo_value")
            .agg(mean_growth=pl.col("growth_pct").mean())
            .sort("mean_growth", "geo_value", nulls_last=True)
            .head(MAX_ROWS)["geo_value"]
        )
        cells = cells.filter(pl.col("geo_value").is_in(weakest.implode()))
        st.caption(
            f"The {MAX_ROWS} weakest of {geographies} {TITLES[level].lower()}s (lowest mean growth over the weeks "
            "shown); narrow the scope from the Drill-down to see the others."
        )
    # weeks without a baseline yet (the first four of the history) say nothing about growth
    compared_weeks = cells.filter(pl.col("growth_pct").is_not_null())["week_start"].unique()
    cells = cells.filter(pl.col("week_start").is_in(compared_weeks.implode()))
    cells = cells.with_columns(week=pl.col("week_start").dt.strftime("%d %b"))

    chart = (
        alt.Chart(cells.to_pandas())
        .mark_rect()
        .encode(
            x=alt.X("week:O", sort=None, title="week starting"),
            y=alt.Y("geo_label:N", title=None),
            color=alt.Color(
                "growth_pct:Q",
                scale=alt.Scale(scheme="redblue", domain=[-50, 50], clamp=True),
                title="growth %",
            ),
            tooltip=["geo_label", "geo_value", "week", "net_amount", "baseline_amount", "growth_pct"],
        )
        .add_params(alt.selection_point(name="cell", fields=["geo_value", "week_start"]))
    )
    clicked = st.altair_chart(chart, width="stretch", on_select="rerun", key=f"heat_chart_{level}")
    picked = clicked.selection.get("cell") if clicked else None
    if picked and picked[0].get("geo_value"):
        week_value = picked[0].get("week_start")
        week_text = (
            date.fromtimestamp(week_value / 1000).isoformat()
            if isinstance(week_value, int | float)
            else str(week_value)[:10]
        )
        set_query(cell=picked[0]["geo_value"], week=week_text)
        st.rerun()

    grid = cells.pivot(on="week", index=["geo_value", "geo_label"], values="growth_pct", sort_columns=False).sort(
        "geo_label"
    )
    week_columns = [c for c in grid.columns if c not in ("geo_value", "geo_label")]
    week_starts = dict(cells.select("week", "week_start").unique().iter_rows())

    def shade(value: object) -> str:
        if value is None or value != value:  # None or NaN
            return ""
        strength = min(abs(float(value)) / 50, 1)
        alpha = 0.15 + 0.6 * strength
        return (
            f"background-color: rgba(217, 83, 79, {alpha:.2f})"
            if value < 0
            else f"background-color: rgba(76, 120, 168, {alpha:.2f})"
        )

    grid_box = st.container(key="table_heat_grid")
    generation = st.session_state.get("heat_grid_generation", 0)
    styled = grid.to_pandas().style.map(shade, subset=week_columns).format("{:+.1f}", subset=week_columns, na_rep="")
    event = grid_box.dataframe(
        styled,
        hide_index=True,
        key=f"heat_grid_{level}_{generation}",
        on_select="rerun",
        selection_mode="single-cell",
        column_config={
            "geo_value": st.column_config.TextColumn("code"),
            "geo_label": st.column_config.TextColumn(TITLES[level]),
        },
    )
    chosen_cells = event.selection.cells
    if chosen_cells:
        row, column = chosen_cells[0]
        if column in week_starts:
            st.session_state["heat_grid_generation"] = generation + 1
            set_query(cell=grid["geo_value"][row], week=week_starts[column].isoformat())
            st.rerun()
    st.caption("Click a cell (chart or table) to see its outlets.")
    with grid_box:
        ui.downloads(cells.drop("week"), "heat_cells", f"heatmap_{level}")

    cell_value, week_text = query.get("cell"), query.get("week")
    week: date | None = None
    if cell_value and week_text:
        try:
            week = date.fromisoformat(week_text)
        except ValueError:  # a hand-edited link: no cell
            week = None
    if cell_value and week is not None:
        OUTLETS_SQL = f"""
        with cell as (
            select
                master_outlet_id,
                coalesce(sum(net_amount) filter (where week_start = ?), 0) as week_amount,
                coalesce(sum(net_amount) filter (where week_start < ?), 0) / 4 as baseline_amount
            from dash_outlet_weekly
            where {CELL_COLUMNS[level]} = ? and week_start between ? and ?
            group by master_outlet_id
        )
        select cell.master_outlet_id, outlets.outlet_name, outlets.beat_name, outlets.rep_name, outlets.status,
            outlets.last_purchase_date, round(cell.week_amount, 2) as week_amount,
            round(cell.baseline_amount, 2) as baseline_amount,
            round(cell.week_amount - cell.baseline_amount, 2) as change_amount,
            round(100 * (cell.week_amount - cell.baseline_amount) / nullif(cell.baseline_amount, 0), 1) as change_pct
        from cell
        left join dash_outlets as outlets using (master_outlet_id)
        order by change_amount, cell.master_outlet_id
        """  # noqa: S608 (column from CELL_COLUMNS, values bound)
        outlets = session.frame(
            OUTLETS_SQL, [week, week, cell_value, week - timedelta(days=28), week], label="cell outlets"
        )
        ui.table(
            outlets,
            "heat_cell_outlets",
            title=f"Outlets of {TITLES[level].lower()} {cell_value}, week of {week:%d %b %Y}",
            column_config={
                **ui.money_columns("week_amount", "baseline_amount", "change_amount"),
                **ui.pct_columns("change_pct"),
            },
            file_name=f"outlets_{ui.slug(cell_value)}_{week.isoformat()}",
        )
