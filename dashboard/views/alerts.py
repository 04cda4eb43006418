"""Early warning (issue 16): what will run out and what broke from its pattern, before the month's numbers show
it. Distributor x SKU stock-out alerts (fct_stockout_risk: stock ledger, forecast, primary in transit), outlet
shelves at risk where reps count them (fct_outlet_stockout_risk, ranked for each rep), the sales anomalies the
night found (fct_sales_anomalies), and the next 8 weeks' forecast by brand with its 80% interval
(fct_sales_forecast, distributor x SKU rows summed: the brand x region series are their bottom-up sums)."""

import altair as alt
import streamlit as st

from dashboard import ui

session = ui.night()
st.title("Early warning")
conditions, params = ui.scope({"zone": "zone", "region": "region", "state": "state", "distributor": "distributor_code"})
scope_sql = ui.where(conditions)

stockouts = session.frame(
    f"""select distributor_code, sku_code, brand, region, closing_units, in_transit_units,
        round(days_of_cover, 1) as days_of_cover, stockout_probability_7d, stockout_probability_lead_time,
        expected_stockout_date, suggested_order_units, distributor_rank
    from fct_stockout_risk where {scope_sql} and is_alert
    order by stockout_probability_7d desc, expected_stockout_date nulls last, distributor_code, sku_code""",  # noqa: S608 (columns from ui.scope)
    params,
    label="stock-out alerts",
)
shelves = session.frame(
    f"""select rep_code, rep_rank, outlet_code, beat_code, distributor_code, sku_code, brand, count_date,
        stock_units, supply_units, round(daily_rate_units, 2) as daily_rate_units, stockout_probability,
        expected_stockout_date, suggested_order_units
    from fct_outlet_stockout_risk where {scope_sql} and is_alert
    order by rep_code, rep_rank""",  # noqa: S608
    params,
    label="outlet shelves at risk",
)
anomalies = session.frame(
    f"""select kind, level, series_key, start_date, end_date, detected_on, round(actual_units) as actual_units,
        round(expected_units) as expected_units, round(size_units) as size_units, round(size_pct, 1) as size_pct,
        region, distributor_code, sku_code, scheme_code
    from fct_sales_anomalies where {scope_sql}
    order by detected_on desc, abs(size_units) desc, anomaly_id""",  # noqa: S608
    params,
    label="sales anomalies",
)
forecast = session.frame(
    f"""select week_start, brand, sum(forecast_units) as forecast_units, sum(lower_80_units) as lower_80_units,
        sum(upper_80_units) as upper_80_units, any_value(as_of_date) as as_of_date
    from fct_sales_forecast where forecast_level = 'distributor_sku' and {scope_sql}
    group by week_start, brand order by week_start, brand""",  # noqa: S608
    params,
    label="forecast by brand",
)

first_weeks = forecast["week_start"].unique().sort().head(4)
next_four_weeks = forecast.filter(forecast["week_start"].is_in(first_weeks))["forecast_units"].sum()

cards = st.columns(4)
with cards[0]:
    ui.metric("Distributor x SKU stock-out alerts", ui.units(stockouts.height), None)
with cards[1]:
    ui.metric("Outlet shelves at risk", ui.units(shelves.height), None)
with cards[2]:
    ui.metric("Sales anomalies", ui.units(anomalies.height), None)
with cards[3]:
    ui.metric("Forecast, next 4 weeks (units)", ui.units(next_four_weeks), None)

ui.table(
    stockouts,
    "alerts_stockouts",
    title="Distributors about to run out",
    column_config=ui.pct_columns("stockout_probability_7d", "stockout_probability_lead_time"),
)
st.caption(
    "Alert: a 7-day stock-out probability of 0.5 or more, or the expected stock-out date within the lead time. "
    "Suggested order: the stock for the lead time plus a week at 98% service, less stock on hand and in transit."
)
ui.table(
    shelves,
    "alerts_shelves",
    title="Outlet shelves at risk, by rep",
    column_config=ui.pct_columns("stockout_probability"),
)
st.caption(
    "From the reps' shelf counts and the chains' store stock: the shelf's sales between counts, the stock counted "
    "and what the outlet bought since; the probability it is out, or runs out, within 7 days."
)
ui.table(anomalies, "alerts_anomalies", title="Sales that broke from their pattern")
st.caption(
    "spike / dip: days far from the series' usual (robust z-score of the seasonal residual); sustained drop: a "
    "change point with a lower level after it; post-scheme drop: a scheme's SKUs' share of their distributor's "
    "sales in the 2 weeks after it ended; sales stopped: no secondary sales while primary continues."
)
if not forecast.is_empty():
    st.subheader("Forecast by brand, next 8 weeks")
    base = alt.Chart(forecast.to_pandas()).encode(x=alt.X("week_start:T", title="week starting"))
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("lower_80_units:Q", title="units"), y2="upper_80_units:Q", color="brand:N"
    )
    line = base.mark_line(point=True).encode(y="forecast_units:Q", color=alt.Color("brand:N", title="brand"))
    st.altair_chart(band + line, width="stretch")
ui.table(forecast, "alerts_forecast", title="Forecast by brand and week (80% interval)")
