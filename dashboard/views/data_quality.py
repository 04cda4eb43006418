"""Data quality: the distributor scorecard, late and missing files, rows quarantined by reason, and the review
backlog (names the pipeline could not match, waiting for `sellthrough review`)."""

import polars as pl
import streamlit as st

from dashboard import freshness, ui

session = ui.night()
st.title("Data quality")
conditions, params = ui.scope({"distributor": "distributor_code"})
scope_sql = ui.where(conditions)

sources = freshness.freshness(session)
if conditions:
    sources = sources.filter(pl.col("distributor_code") == params[0])
late = sources.filter(pl.col("freshness").is_in(["late", "failed files", "no data"]))
pending = session.frame(
    f"select count(*) as items, coalesce(sum(occurrences), 0) as occurrences from ops.fct_review_queue "  # noqa: S608
    f"where review_status = 'pending' and {scope_sql}",
    params,
    label="review backlog total",
).row(0, named=True)
QUARANTINED_SQL = f"select count(*) from ops.fct_quarantined_rows where {scope_sql}"  # noqa: S608 (ui.scope)
quarantined = session.value(QUARANTINED_SQL, params, label="quarantined total")
cards = st.columns(4)
with cards[0]:
    ui.metric("Late or failing folders", ui.units(late.height), None)
with cards[1]:
    ui.metric("Files failed", ui.units(sources["files_failed"].sum() if not sources.is_empty() else 0), None)
with cards[2]:
    ui.metric("Rows quarantined", ui.units(quarantined), None)
with cards[3]:
    ui.metric("Names awaiting review", ui.units(pending["items"]), None)

scorecard = session.frame(
    f"""select distributor_code, distributor_name, zone, region, sales_file_cadence, sales_files, on_time_rate,
        files_failed, files_superseded, quarantine_rate, last_sales_file_at, sales_covered_to,
        stock_rows_outside_tolerance, stock_variance_rate, expectation_pass_rate, file_level_failures, volume_flags
    from ops.kpi_distributor_scorecard where {scope_sql}
    order by on_time_rate, quarantine_rate desc, distributor_code""",  # noqa: S608 (conditions from ui.scope)
    params,
    label="scorecard",
)
ui.table(scorecard, "dq_scorecard", title="Distributor scorecard")

ui.table(
    late.select(
        "source_kind",
        "distributor_code",
        "freshness",
        "covered_until",
        "days_behind",
        "expected_every_days",
        "last_file",
        "last_received_at",
        "files",
        "files_failed",
    ).sort("freshness", "days_behind", descending=[False, True], nulls_last=True),
    "dq_late",
    title="Late and missing files",
)
st.caption(
    "Late: the folder's newest data ends more than its cadence plus the grace days before the as-of date "
    "(data/config/cadence.yml, as `sellthrough status`)."
)
failed = session.frame(
    f"""select file_name, source_kind, distributor_code, received_at, error_code, error
    from ops.fct_file_loads where status = 'failed' and {scope_sql}
    order by received_at desc, file_name""",  # noqa: S608
    params,
    label="failed files",
)
ui.table(failed, "dq_failed", title="Files rejected")
ui.table(
    sources.select(
        "source_kind",
        "distributor_code",
        "freshness",
        "covered_until",
        "days_behind",
        "last_file",
        "last_received_at",
        "files",
        "files_failed",
        "rows_loaded",
        "rows_quarantined",
    ),
    "dq_sources",
    title="Every source folder",
)

by_reason = session.frame(
    f"""select reason_code, source_kind, count(*) as rows, count(distinct file_name) as files,
        count(distinct distributor_code) as folders, any_value(reason) as example_reason
    from ops.fct_quarantined_rows where {scope_sql}
    group by reason_code, source_kind order by rows desc, reason_code, source_kind""",  # noqa: S608
    params,
    label="quarantine by reason",
)
ui.table(by_reason, "dq_quarantine", title="Quarantined rows by reason")

backlog = session.frame(
    f"""select review_kind, distributor_code, name, occurrences, files, first_seen_at, last_seen_at, last_file,
        suggestion
    from ops.fct_review_queue where review_status = 'pending' and {scope_sql}
    order by occurrences desc, first_seen_at, name""",  # noqa: S608
    params,
    label="review backlog",
)
ui.table(backlog, "dq_backlog", title="Review backlog (pending)")
st.caption("Work it with `sellthrough review`: confirmed names load from the next file on.")
