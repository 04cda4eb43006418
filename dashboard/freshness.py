"""Data freshness per source, from the ledger (dash_source_freshness), shown on every page: a source folder is
late when the last day its loaded files cover is more than its cadence plus the grace days before the as-of
date (cadence and grace from `sellthrough status`'s settings: data/config/cadence.yml or the defaults)."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard.warehouse import Session
from sellthrough.config import Settings
from sellthrough.status import Cadence

FRESHNESS_SQL = """
select source_kind, distributor_code, sales_file_cadence, files, files_failed, last_file, last_received_at,
    last_loaded_at, covered_until, rows_loaded, rows_quarantined, as_of_date
from dash_source_freshness
order by source_kind, distributor_code
"""


def cadence() -> Cadence:
    try:
        return Cadence.load(Settings.from_env().config_dir)
    except (OSError, ValueError):
        return Cadence()


def freshness(session: Session) -> pl.DataFrame:
    """One row per source kind x folder with expected_every_days, days_behind (the as-of date minus the last day
    covered) and freshness: fresh, late, failed files, or master (masters have no period)."""
    rows = session.frame(FRESHNESS_SQL, label="freshness")
    if rows.is_empty():
        return rows
    rules = cadence()
    expected = [
        None if kind == "masters" else rules.days(kind, master)
        for kind, master in rows.select("source_kind", "sales_file_cadence").iter_rows()
    ]
    rows = rows.with_columns(
        expected_every_days=pl.Series(expected, dtype=pl.Int64),
        days_behind=(pl.col("as_of_date") - pl.col("covered_until")).dt.total_days(),
    )
    return rows.with_columns(
        freshness=pl.when(pl.col("source_kind") == "masters")
        .then(pl.lit("master"))
        .when(pl.col("covered_until").is_null())
        .then(pl.lit("no data"))
        .when(pl.col("days_behind") > pl.col("expected_every_days") + rules.grace_days)
        .then(pl.lit("late"))
        .when(pl.col("files_failed") > 0)
        .then(pl.lit("failed files"))
        .otherwise(pl.lit("fresh"))
    )


def per_source(rows: pl.DataFrame) -> pl.DataFrame:
    """The panel's lines: per source kind, the last day covered, the last file received, late folders, failed
    files."""
    return (
        rows.group_by("source_kind")
        .agg(
            covered_until=pl.col("covered_until").max(),
            last_received_at=pl.col("last_received_at").max(),
            folders=pl.len(),
            late=(pl.col("freshness") == "late").sum(),
            files_failed=pl.col("files_failed").sum(),
        )
        .sort("source_kind")
    )


def panel(session: Session, today: date | None = None) -> None:
    """The sidebar's freshness panel (every page)."""
    rows = freshness(session)
    with st.sidebar:
        if rows.is_empty():
            st.warning("No files loaded yet.")
            return
        as_of = rows["as_of_date"][0]
        age = ((today or date.today()) - as_of).days
        st.markdown(f"**Data as of {as_of:%d %b %Y}**" + (f" ({age} days ago)" if age > 1 else ""))
        lines = []
        for kind, covered, received, folders, late, failed in per_source(rows).iter_rows():
            flag = []
            if late:
                flag.append(f":orange[{late} of {folders} late]")
            if failed:
                flag.append(f":red[{failed} failed]")
            covered_text = f"to {covered:%d %b}" if covered else "master"
            lines.append(
                f"- `{kind}` {covered_text}, last file {received:%d %b %H:%M}"
                + (" · " + ", ".join(flag) if flag else "")
            )
        st.markdown("\n".join(lines))
        st.caption("Per folder: Data quality page.")
