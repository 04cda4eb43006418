"""The dashboard's entry point: `sellthrough dashboard` runs `streamlit run dashboard/app.py` on the published
warehouse (SELLTHROUGH_PUBLISHED_PATH, else <data dir>/published/sellthrough.duckdb).

Every run (every click) takes the current night of the published file (dashboard/warehouse.py): after the
nightly publish the next click shows the new night, whole."""

from __future__ import annotations

import duckdb
import streamlit as st

from dashboard import freshness, ui
from dashboard.warehouse import NoPublishedWarehouse, warehouse_for
from sellthrough.config import Settings

st.set_page_config(page_title="Sellthrough", page_icon=":material/insights:", layout="wide")

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),  # at /
    st.Page("views/drilldown.py", title="Drill-down", icon=":material/account_tree:", url_path="drilldown"),
    st.Page("views/heatmap.py", title="Heatmap", icon=":material/grid_on:", url_path="heatmap"),
    st.Page("views/outlets.py", title="Outlets", icon=":material/storefront:", url_path="outlets"),
    st.Page("views/stock.py", title="Stock", icon=":material/inventory_2:", url_path="stock"),
    st.Page("views/alerts.py", title="Early warning", icon=":material/notifications_active:", url_path="alerts"),
    st.Page("views/schemes.py", title="Schemes", icon=":material/sell:", url_path="schemes"),
    st.Page("views/field.py", title="Field", icon=":material/directions_walk:", url_path="field"),
    st.Page("views/data_quality.py", title="Data quality", icon=":material/fact_check:", url_path="data-quality"),
]

# Tables download through the CSV and Excel buttons below each (values escaped: ingest/core/cell_safety.py),
# not the grid's own "Download as CSV", which writes formula-like text as it is.
HIDE_RAW_CSV = '<style>button[aria-label="Download as CSV"] { display: none !important; }</style>'

page = st.navigation(PAGES)
st.html(HIDE_RAW_CSV)
warehouse = warehouse_for(Settings.from_env().published_path)
try:
    with warehouse.session() as session:
        st.session_state[ui.SESSION_KEY] = session
        try:
            ui.follow()
            freshness.panel(session)
            page.run()
        except duckdb.CatalogException as missing:
            st.error(
                "The published warehouse lacks a mart this page reads: run `sellthrough run` with this version of "
                f"Sellthrough to publish it.\n\n{missing}"
            )
        finally:
            st.session_state.pop(ui.SESSION_KEY, None)
            st.session_state[ui.TIMINGS_KEY] = list(session.timings)
except NoPublishedWarehouse as missing:
    st.title("Sellthrough")
    st.info(f"{missing}. The dashboard shows the published warehouse once the nightly run has published it.")
