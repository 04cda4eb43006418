"""What every page shares: the night it reads, tables with their CSV and Excel downloads, money and growth
formatting, the data-freshness panel, and clickable rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime

import polars as pl
import streamlit as st

from dashboard.warehouse import Session
from ingest.core.cell_safety import csv_bytes, xlsx_bytes

TIMINGS_KEY = "_query_timings"  # session state: the last run's query times (read by the benchmark)
SESSION_KEY = "_night_session"  # session state, during a run only: the run's Session


def night() -> Session:
    """The page run's session on the published warehouse (app.py opens it around every page run)."""
    return st.session_state[SESSION_KEY]


GO_KEY = "_go_to_page"


def go(page: str, query: dict[str, str]) -> None:
    """From a click's callback: open `page` (a path under dashboard/) with these query parameters on the run
    the click starts (app.py follows it before any page renders)."""
    st.session_state[GO_KEY] = (page, query)


def navigate(query: dict[str, str]) -> None:
    """From a click's callback: the same page with these query parameters (the URL changes with them)."""
    st.query_params.from_dict(query)


def follow() -> None:
    """Called by app.py before the page runs: switch to the page a click asked for."""
    target = st.session_state.pop(GO_KEY, None)
    if target:
        st.switch_page(target[0], query_params=target[1])


def rupees(amount: float | None) -> str:
    """Indian style: ₹ 3.46 Cr, ₹ 12.5 L, ₹ 8,450."""
    if amount is None:
        return "–"
    sign = "-" if amount < 0 else ""
    value = abs(amount)
    if value >= 1e7:
        return f"{sign}₹ {value / 1e7:,.2f} Cr"
    if value >= 1e5:
        return f"{sign}₹ {value / 1e5:,.2f} L"
    return f"{sign}₹ {value:,.0f}"


def units(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def change_pct(current: float | None, previous: float | None) -> float | None:
    """100 * (current - previous) / previous; None when there is nothing to compare with."""
    if current is None or previous is None or previous == 0:
        return None
    return round(100.0 * (current - previous) / previous, 1)


def pct_text(value: float | None) -> str | None:
    return None if value is None else f"{value:+.1f}%"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def table(
    frame: pl.DataFrame,
    key: str,
    *,
    title: str | None = None,
    on_select: Callable[[int], None] | None = None,
    column_config: dict | None = None,
    height: int | str = "auto",
    file_name: str | None = None,
) -> None:
    """A table with CSV and Excel downloads (values only, formula-like text escaped: ingest/core/cell_safety.py).
    With `on_select`, a click on a row calls it with the row's position, then the page runs again (the handler
    changes the URL or the page). The widget's key carries a generation that a click advances, so the clicked
    row is not selected again when the table comes back."""
    with st.container(key=f"table_{key}"):  # tests find a table by this key
        if title:
            st.subheader(title)
        if frame.is_empty():
            st.caption("Nothing to show.")
            return
        options: dict = {"hide_index": True, "column_config": labelled(frame, column_config), "height": height}
        if on_select is None:
            st.dataframe(frame, **options)
        else:
            generation = st.session_state.get(f"{key}__generation", 0)
            event = st.dataframe(
                frame, key=f"{key}__{generation}", on_select="rerun", selection_mode="single-row", **options
            )
            rows = event.selection.rows
            if rows:
                st.session_state[f"{key}__generation"] = generation + 1
                on_select(rows[0])
                st.rerun()
        downloads(frame, key, file_name or slug(title or key))


WORDS = {"pct": "%", "amount": "₹", "90d": "90 d", "28d": "28 d", "id": "ID", "sku": "SKU", "gps": "GPS"}


def label(column: str) -> str:
    """`previous_net_amount` -> `Previous net ₹`, `growth_pct` -> `Growth %`."""
    words = [WORDS.get(word, word) for word in column.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def labelled(frame: pl.DataFrame, config: dict | None) -> dict:
    """Every column gets a readable header (the downloads keep the column names)."""
    out = dict(config or {})
    for column in frame.columns:
        if column not in out:
            out[column] = st.column_config.Column(label(column))
        elif isinstance(out[column], dict) and not out[column].get("label"):
            out[column] = {**out[column], "label": label(column)}
    return out


def downloads(frame: pl.DataFrame, key: str, name: str) -> None:
    """CSV and Excel buttons for `frame`; the file is written when the button is clicked."""
    with st.container(horizontal=True):
        st.download_button(
            "CSV",
            data=lambda: csv_bytes(frame),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}__csv",
            on_click="ignore",
            icon=":material/download:",
        )
        st.download_button(
            "Excel",
            data=lambda: xlsx_bytes(frame, sheet=name[:31] or "data"),
            file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}__xlsx",
            on_click="ignore",
            icon=":material/download:",
        )


def money_columns(*names: str) -> dict:
    return {name: st.column_config.NumberColumn(format="localized", step=1) for name in names}


def pct_columns(*names: str) -> dict:
    return {name: st.column_config.NumberColumn(format="%+.1f%%") for name in names}


def metric(label: str, value: str, delta: float | None, help_text: str | None = None) -> None:
    st.metric(label, value, delta=pct_text(delta), help=help_text, border=True)


def caption_list(items: Sequence[str]) -> None:
    st.caption(" · ".join(items))


def age_text(moment: datetime | date | None, as_of: date | None) -> str:
    if moment is None:
        return "never"
    day = moment.date() if isinstance(moment, datetime) else moment
    if as_of is None:
        return day.isoformat()
    behind = (as_of - day).days
    return f"{day.isoformat()} ({behind} d before as-of)" if behind > 0 else day.isoformat()


def scope(columns: dict[str, str]) -> tuple[list[str], list[str]]:
    """The geography the URL narrows the page to (`?zone=..&region=..&distributor=..`, as the Drill-down writes
    it), as SQL conditions over `columns` (level -> this mart's column; levels it lacks are left out) and their
    bound values. Shown as a caption with a way back to the whole country."""
    from dashboard.drill import TITLES, DrillState

    path = [(level, value) for level, value in DrillState.from_query(st.query_params.to_dict()).geo if level in columns]
    if path:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption("Within " + " › ".join(f"{TITLES[level]} {value}" for level, value in path))
            st.button(
                "All India",
                key="scope_clear",
                type="tertiary",
                on_click=navigate,
                args=({k: v for k, v in st.query_params.to_dict().items() if k not in TITLES},),
            )
    return [f"{columns[level]} = ?" for level, _ in path], [value for _, value in path]


def where(conditions: list[str]) -> str:
    return " and ".join(conditions) if conditions else "true"
