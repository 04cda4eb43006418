"""Field: productive-call %, lines per call and effective coverage by rep and beat for a month, and the visits
flagged far from the outlet or with a skewed phone clock (kpi_call_productivity, kpi_effective_coverage,
fct_visits)."""

import streamlit as st

from dashboard import ui

session = ui.night()
st.title("Field")
conditions, params = ui.scope(
    {"zone": "zone", "region": "region", "state": "state", "distributor": "distributor_code", "beat": "beat_code"}
)
scope_sql = ui.where(conditions)
months = session.frame(
    "select distinct month_start from kpi_call_productivity order by month_start desc", label="field months"
)
if months.is_empty():
    st.info("No field-app visits loaded.")
else:
    options = months["month_start"].to_list()
    requested = st.query_params.get("month")
    month = next((m for m in options if m.isoformat() == requested), options[0])

    def choose_month() -> None:
        st.query_params["month"] = st.session_state["field_month"].isoformat()

    st.session_state["field_month"] = month
    st.selectbox("Month", options, key="field_month", format_func=lambda m: f"{m:%B %Y}", on_change=choose_month)

    by_rep = session.frame(
        f"""with productivity as (
            select * from kpi_call_productivity where month_start = ? and {scope_sql}
        )
        select productivity.rep_code, any_value(reps.rep_name) as rep_name,
            any_value(productivity.distributor_code) as distributor_code, sum(productivity.calls) as calls,
            sum(productivity.productive_calls) as productive_calls,
            round(100.0 * sum(productivity.productive_calls) / nullif(sum(productivity.calls), 0), 1)
                as productive_call_pct,
            sum(productivity.order_lines) as order_lines,
            round(sum(productivity.order_lines) / nullif(sum(productivity.calls), 0), 2) as lines_per_call,
            sum(productivity.calls_far_from_outlet) as calls_far_from_outlet,
            sum(productivity.calls_clock_skewed) as calls_clock_skewed
        from productivity
        left join dim_rep as reps on reps.rep_code = productivity.rep_code
        group by productivity.rep_code
        order by productive_call_pct, productivity.rep_code""",  # noqa: S608 (conditions from ui.scope)
        [month, *params],
        label="by rep",
    )
    calls = by_rep["calls"].sum() if not by_rep.is_empty() else 0
    productive = by_rep["productive_calls"].sum() if not by_rep.is_empty() else 0
    lines = by_rep["order_lines"].sum() if not by_rep.is_empty() else 0
    cards = st.columns(3)
    with cards[0]:
        ui.metric("Calls", ui.units(calls), None)
    with cards[1]:
        ui.metric("Productive calls", f"{100 * productive / calls:.1f}%" if calls else "–", None)
    with cards[2]:
        ui.metric("Lines per call", f"{lines / calls:.2f}" if calls else "–", None)
    ui.table(by_rep, "field_by_rep", title="By rep")

    by_beat = session.frame(
        f"""with calls as (
            select distributor_code, beat_code, sum(calls) as calls, sum(productive_calls) as productive_calls,
                sum(order_lines) as order_lines, sum(calls_far_from_outlet) as calls_far_from_outlet,
                sum(calls_clock_skewed) as calls_clock_skewed
            from kpi_call_productivity where month_start = ? and {scope_sql}
            group by distributor_code, beat_code
        ),
        coverage as (
            select distributor_code, beat_code, outlets_on_beat, outlets_billed, effective_coverage
            from kpi_effective_coverage where month_start = ? and {scope_sql}
        )
        select distributor_code, beat_code, beats.beat_name, beats.rep_name, coverage.outlets_on_beat,
            coverage.outlets_billed, round(100 * coverage.effective_coverage, 1) as effective_coverage_pct,
            calls.calls, round(100.0 * calls.productive_calls / nullif(calls.calls, 0), 1) as productive_call_pct,
            round(calls.order_lines / nullif(calls.calls, 0), 2) as lines_per_call, calls.calls_far_from_outlet,
            calls.calls_clock_skewed
        from coverage
        full join calls using (distributor_code, beat_code)
        left join dim_geography as beats using (beat_code)
        order by effective_coverage_pct nulls last, distributor_code, beat_code""",  # noqa: S608
        [month, *params, month, *params],
        label="by beat",
    )
    ui.table(by_beat, "field_by_beat", title="By beat: effective coverage and calls")
    st.caption("Effective coverage: outlets on the beat billed at least once in the month (distributor invoices).")

    flagged = session.frame(
        f"""select visit_id, visit_date, distributor_code, rep_code, beat_code, outlet_code, round(distance_m)
            as distance_m, is_far_from_outlet, round(clock_skew_minutes, 1) as clock_skew_minutes, is_clock_skewed,
            device_time, server_time, is_productive
        from fct_visits
        where month_start = ? and (is_far_from_outlet or is_clock_skewed) and {scope_sql}
        order by visit_date, rep_code, visit_id""",  # noqa: S608
        [month, *params],
        label="flagged visits",
    )
    ui.table(flagged, "field_flagged", title="Flagged visits")
    st.caption("Far: checked in more than 300 m from the outlet's GPS; skewed: phone clock over 30 minutes off.")
