"""Outlets: top and bottom outlets, dead and declining outlets by beat, Pareto classes, each with its last
purchase date and rep (dash_outlets: kpi_non_performing_outlets + kpi_outlet_pareto as of the last business
day)."""

import streamlit as st

from dashboard import ui

session = ui.night()
st.title("Outlets")
conditions, params = ui.scope(
    {"zone": "zone", "region": "region", "state": "state", "distributor": "distributor_code", "beat": "beat_code"}
)
scope_sql = ui.where(conditions)
COLUMNS = """master_outlet_id, outlet_name, distributor_code, beat_code, beat_name, rep_name, channel, outlet_class,
    status, last_purchase_date, days_since_last_purchase, net_sales_90d_amount, pareto_class, last_28d_amount,
    previous_28d_amount, change_pct"""

counts = session.frame(
    f"""select count(*) as outlets, count(*) filter (where net_sales_90d_amount > 0) as buying,
        count(*) filter (where status = 'dead') as dead, count(*) filter (where status = 'declining') as declining,
        count(*) filter (where status = 'never_bought') as never_bought, any_value(as_of_date) as as_of_date
    from dash_outlets where {scope_sql}""",  # noqa: S608 (conditions from ui.scope's fixed columns)
    params,
    label="outlet counts",
).row(0, named=True)
cards = st.columns(5)
for card, (label, key) in zip(
    cards,
    (
        ("Outlets", "outlets"),
        ("Bought in 90 days", "buying"),
        ("Dead", "dead"),
        ("Declining", "declining"),
        ("Never bought", "never_bought"),
    ),
    strict=True,
):
    with card:
        ui.metric(label, ui.units(counts[key]), None)
st.caption(
    f"As of {counts['as_of_date']}: dead = stopped buying for several of its usual gaps; declining = the "
    "last 28 days at least 30% below the 28 before."
)

money = ui.money_columns("net_sales_90d_amount", "last_28d_amount", "previous_28d_amount")
left, right = st.columns(2)
with left:
    top = session.frame(
        f"select {COLUMNS} from dash_outlets where {scope_sql} and net_sales_90d_amount > 0 "  # noqa: S608
        "order by net_sales_90d_amount desc, master_outlet_id limit 20",
        params,
        label="top outlets",
    )
    ui.table(top, "outlets_top", title="Top 20 (90 days)", column_config=money)
with right:
    bottom = session.frame(
        f"select {COLUMNS} from dash_outlets where {scope_sql} and net_sales_90d_amount > 0 "  # noqa: S608
        "order by net_sales_90d_amount, master_outlet_id limit 20",
        params,
        label="bottom outlets",
    )
    ui.table(bottom, "outlets_bottom", title="Bottom 20 of those that bought", column_config=money)

by_beat = session.frame(
    f"""select distributor_code, beat_code, any_value(beat_name) as beat_name, any_value(rep_name) as rep_name,
        count(*) as outlets, count(*) filter (where status = 'dead') as dead,
        count(*) filter (where status = 'declining') as declining,
        count(*) filter (where status = 'never_bought') as never_bought
    from dash_outlets where {scope_sql}
    group by distributor_code, beat_code
    having count(*) filter (where status in ('dead', 'declining')) > 0
    order by dead desc, declining desc, beat_code""",  # noqa: S608
    params,
    label="dead and declining by beat",
)
ui.table(by_beat, "outlets_by_beat", title="Dead and declining outlets by beat")

flagged = session.frame(
    f"select {COLUMNS} from dash_outlets where {scope_sql} and status in ('dead', 'declining') "  # noqa: S608
    "order by status, beat_code, days_since_last_purchase desc, master_outlet_id",
    params,
    label="dead and declining outlets",
)
ui.table(flagged, "outlets_flagged", title="Dead and declining outlets", column_config=money)

pareto = session.frame(
    f"""select coalesce(pareto_class, 'none in 90 days') as pareto_class, count(*) as outlets,
        sum(net_sales_90d_amount) as net_sales_90d_amount,
        round(100 * sum(net_sales_90d_amount) / nullif(sum(sum(net_sales_90d_amount)) over (), 0), 1)
            as revenue_share_pct
    from dash_outlets where {scope_sql}
    group by 1 order by 1""",  # noqa: S608
    params,
    label="pareto classes",
)
ui.table(pareto, "outlets_pareto", title="Pareto classes", column_config=ui.money_columns("net_sales_90d_amount"))
st.caption("Class A: the outlets making the first 70% of the 90 days' revenue nationally, B the next 20%, C the rest.")
