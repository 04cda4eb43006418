"""Data Docs: a static HTML site of the stored expectation results, one page per suite: every load's
(`raw/_validations`) and the warehouse marts' after each build (`quality/mart_validations`, suites `mart.<name>`).

Rendered here from the stored rows, not by GE's own site builder: the ephemeral context the loads are validated
in keeps no validation store, and the results live in the lake (written before each load's ledger row), so the
site is rebuilt from there by any process, e.g. the `data_quality_docs` Dagster asset.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from pathlib import Path

import polars as pl

from ingest.core.lake import SCHEMA_FILE, VALIDATIONS_DIR, VALIDATIONS_SCHEMA, write_parquet_atomic

SITE_DIR = Path("quality") / "data_docs"
MART_VALIDATIONS_DIR = Path("quality") / "mart_validations"  # expectations/marts.py, one file per run
MAX_ROWS_PER_PAGE = 2000
STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
    "padding:3px 6px;font-size:13px}th{background:#eee}.fail{background:#fdd}.warn{background:#ffd}"
)


def read_validations(raw_dir: Path, load_ids: list[str] | None = None) -> pl.DataFrame:
    """Stored results of committed loads (all of them, or those of `load_ids`)."""
    folder = raw_dir / VALIDATIONS_DIR
    paths = [p for p in sorted(folder.glob("*.parquet")) if p.name != SCHEMA_FILE] if folder.exists() else []
    if load_ids is not None:
        wanted = set(load_ids)
        paths = [p for p in paths if p.stem in wanted]
    if not paths:
        return pl.DataFrame(schema=VALIDATIONS_SCHEMA)
    return pl.concat([pl.read_parquet(p) for p in paths], how="diagonal_relaxed").select(list(VALIDATIONS_SCHEMA))


def read_mart_validations(data_dir: Path) -> pl.DataFrame:
    """Stored results of the mart suites (load_id holds the run, file_name the mart, severity blocking/warning)."""
    folder = data_dir / MART_VALIDATIONS_DIR
    paths = sorted(folder.glob("*.parquet")) if folder.exists() else []
    if not paths:
        return pl.DataFrame(schema=VALIDATIONS_SCHEMA)
    return pl.concat([pl.read_parquet(p) for p in paths], how="diagonal_relaxed").select(list(VALIDATIONS_SCHEMA))


def build_data_docs(data_dir: Path, raw_dir: Path | None = None) -> Path:
    """Write `<data_dir>/quality/data_docs/` (index.html and one page per suite); returns the index path."""
    results = pl.concat([read_validations(raw_dir or data_dir / "raw"), read_mart_validations(data_dir)])
    site = data_dir / SITE_DIR
    site.mkdir(parents=True, exist_ok=True)
    summary = _summary(results)
    for suite in summary["suite"].to_list():
        _write(site / _page(suite), _suite_page(suite, results.filter(pl.col("suite") == suite)))
    _write(site / "index.html", _index(summary, results))
    write_parquet_atomic(results, site / "validations.parquet")
    return site / "index.html"


def _summary(results: pl.DataFrame) -> pl.DataFrame:
    failed = ~pl.col("success")
    return (
        results.group_by("suite")
        .agg(
            pl.col("load_id").n_unique().alias("loads"),
            pl.len().alias("expectations_evaluated"),
            (failed & (pl.col("severity") == "file")).sum().alias("file_level_failed"),
            (failed & (pl.col("severity") == "row")).sum().alias("row_level_failed"),
            (failed & (pl.col("severity") == "blocking")).sum().alias("blocking_failed"),
            (failed & (pl.col("severity") == "warning")).sum().alias("warnings"),
            pl.col("unexpected_count").sum().alias("unexpected_rows"),
        )
        .sort("suite")
    )


def _page(suite: str) -> str:
    return f"suite_{suite.replace('/', '_')}.html"


def _index(summary: pl.DataFrame, results: pl.DataFrame) -> str:
    rows = [
        [f'<a href="{_page(r["suite"])}">{escape(r["suite"])}</a>', *[str(r[c]) for c in summary.columns[1:]]]
        for r in summary.iter_rows(named=True)
    ]
    failures = results.filter(~pl.col("success")).sort("validated_at", descending=True)
    return _html(
        "Sellthrough data quality",
        f"<p>{results['load_id'].n_unique()} loads and warehouse builds validated; "
        f"built {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>"
        f"<h2>Suites</h2>{_table(summary.columns, rows, raw=True)}"
        f"<h2>Latest failed expectations</h2>{_results_table(failures.head(MAX_ROWS_PER_PAGE))}",
    )


def _suite_page(suite: str, results: pl.DataFrame) -> str:
    ordered = results.sort(["success", "validated_at"], descending=[False, True])
    return _html(f"Suite {suite}", '<p><a href="index.html">all suites</a></p>' + _results_table(ordered.head(2000)))


def _results_table(results: pl.DataFrame) -> str:
    columns = ["validated_at", "file_name", "expectation", "column_name", "severity", "success", "unexpected_count"]
    columns += ["element_count", "observed_value"]
    rows = []
    for r in results.iter_rows(named=True):
        css = "" if r["success"] else ("warn" if r["severity"] == "warning" else "fail")
        rows.append((css, [escape("" if r[c] is None else str(r[c])) for c in columns]))
    body = "".join(f'<tr class="{css}">' + "".join(f"<td>{v}</td>" for v in cells) + "</tr>" for css, cells in rows)
    return f"<table><tr>{''.join(f'<th>{c}</th>' for c in columns)}</tr>{body}</table>"


def _table(columns: list[str], rows: list[list[str]], *, raw: bool = False) -> str:
    cell = (lambda v: v) if raw else escape
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{''.join(f'<th>{escape(c)}</th>' for c in columns)}</tr>{body}</table>"


def _html(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )


def _write(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
