"""Stock: days of cover, overstock and stock-out risk per distributor and distributor x SKU (as of the last
business day), and the reconciliation variances (reported closing against opening + receipts - sales - returns)
with their likely cause."""

import streamlit as st

from dashboard import ui

session = ui.night()
st.title("Stock")
conditions, params = ui.scope({"zone": "zone", "region": "region", "state": "state", "distributor": "distributor_code"})
scope_sql = ui.where(conditions)

overstock = session.frame(
    f"""select distributor_code, zone, region, state, as_of_date, closing_units, round(avg_daily_sales_units, 1)
        as avg_daily_sales_units, round(days_of_cover, 1) as days_of_cover, is_overstocked, overstocked_skus,
        stockout_risk_skus, skus
    from kpi_distributor_overstock where {scope_sql}
    order by days_of_cover desc nulls last, distributor_code""",  # noqa: S608 (columns from ui.scope)
    params,
    label="overstock",
)
flagged = overstock.filter(overstock["is_overstocked"])
cards = st.columns(3)
with cards[0]:
    ui.metric("Overstocked distributors", ui.units(flagged.height), None)
with cards[1]:
    ui.metric("SKUs overstocked", ui.units(overstock["overstocked_skus"].sum()), None)
with cards[2]:
    ui.metric("SKUs at stock-out risk", ui.units(overstock["stockout_risk_skus"].sum()), None)
ui.table(overstock, "stock_distributors", title="Days of cover per distributor")
st.caption("Overstocked: more than 45 days of cover at the last 28 days' rate of sale; stock-out risk: under 7.")

health = session.frame(
    f"""select distributor_code, sku_code, brand, category, closing_units, round(avg_daily_sales_units, 1)
        as avg_daily_sales_units, round(days_of_cover, 1) as days_of_cover, stocked_out_days, is_overstocked,
        is_stockout_risk
    from kpi_distributor_stock_health where {scope_sql} and (is_overstocked or is_stockout_risk)
    order by is_stockout_risk desc, days_of_cover desc nulls last, distributor_code, sku_code""",  # noqa: S608
    params,
    label="stock health",
)
ui.table(health, "stock_skus", title="Distributor x SKU: overstock and stock-out risk")

variances = session.frame(
    f"""select distributor_code, sku_code, period_start, period_end, computed_closing_units,
        reported_closing_units, variance_units, variance_pct, likely_cause, days_without_sales_file,
        unmapped_sku_rows, statement_file
    from fct_distributor_stock_reconciliation where {scope_sql} and not is_within_tolerance
    order by abs(variance_units) desc, distributor_code, sku_code, period_start""",  # noqa: S608
    params,
    label="reconciliation variances",
)
causes = session.frame(
    f"""select coalesce(likely_cause, 'within tolerance') as likely_cause, count(*) as rows,
        sum(abs(variance_units)) as abs_variance_units
    from fct_distributor_stock_reconciliation where {scope_sql}
    group by 1 order by rows desc""",  # noqa: S608
    params,
    label="variance causes",
)
ui.table(
    variances,
    "stock_variances",
    title="Reconciliation variances outside tolerance",
    column_config=ui.pct_columns("variance_pct"),
)
ui.table(causes, "stock_causes", title="Likely causes")
st.caption(
    "missing_sales_file: less stock reported than computed and days of the period without a sales file; "
    "unit_mismatch: the variance is a whole number of cases (or a case-size factor); unmapped_sku: less stock "
    "reported while rows of the distributor's item names were quarantined; unexplained: none of these."
)
