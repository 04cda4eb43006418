"""The `sellthrough` command line: generate, demo, run, backfill, preview, status, review, new-source."""

from __future__ import annotations

import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sellthrough.cli_review import review_app
from sellthrough.config import Settings

app = typer.Typer(help="Sellthrough: distributor files in, trusted secondary-sales marts out.", no_args_is_help=True)
app.add_typer(review_app, name="review")
console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data folder (default: $SELLTHROUGH_DATA_DIR or ./data)")
]


EXAMPLE_QUERY = "from fct_distributor_stock_reconciliation order by abs(variance_units) desc limit 10"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@app.command()
def generate(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same files")] = 42,
    distributors: Annotated[int, typer.Option(help="Number of distributors")] = 8,
    outlets: Annotated[int, typer.Option(help="Number of outlets")] = 400,
    skus: Annotated[int, typer.Option(help="Number of SKUs")] = 30,
    days: Annotated[int, typer.Option(help="Days of trading to simulate")] = 123,
    start: Annotated[str, typer.Option(help="First day (ISO date)")] = "2026-07-01",
) -> None:
    """Write a sample distribution network's files to the inbox, and its truth beside it."""
    from sellthrough.generator import NetworkConfig
    from sellthrough.generator import generate as run_generator

    settings = Settings.from_env(data_dir)
    config = NetworkConfig(
        seed=seed,
        distributors=distributors,
        outlets=outlets,
        skus=skus,
        days=days,
        start=date.fromisoformat(start),
    )
    with _progress() as progress:
        task = progress.add_task("generating", total=None)

        def report(step: str, done: int, total: int) -> None:
            progress.update(task, description=step, completed=done, total=total)

        summary = run_generator(settings.data_dir, config, progress=report)
    console.print(f"[green]wrote[/green] {settings.inbox_dir} and {settings.truth_dir}")
    console.print_json(json.dumps(summary, default=str))


@app.command()
def run(
    data_dir: DataDir = None,
    run_date: Annotated[
        str | None, typer.Option("--date", help="Load only files received by the end of this day (ISO date)")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Rebuild incremental models from scratch (after model changes)")
    ] = False,
) -> None:
    """The nightly job: load new inbox files, build and test the warehouse, publish it. Non-zero on failure."""
    from sellthrough.pipeline import run_nightly

    started = time.monotonic()
    day = _parse_date(run_date, "--date") if run_date else None
    with console.status("running the nightly job (ingest > dbt build > publish)"):
        outcome = run_nightly(data_dir, run_date=day, full_refresh=full_refresh)
    if not outcome.success:
        err.print(f"[red]run {outcome.run_id} failed[/red] at: {', '.join(outcome.failed_steps) or 'unknown step'}")
        raise typer.Exit(1)
    console.print(
        f"[green]run {outcome.run_id} succeeded[/green] in {time.monotonic() - started:.0f} s"
        + (f" (files received by {day})" if day else "")
    )
    _print_summary(outcome.settings)


@app.command()
def backfill(
    from_date: Annotated[str, typer.Option("--from", help="First day to replay (ISO date)")],
    to_date: Annotated[str, typer.Option("--to", help="Last day to replay (ISO date)")],
    data_dir: DataDir = None,
) -> None:
    """Replay the inbox day by day as files were received, then build and publish once. Non-zero on failure."""
    from sellthrough.pipeline import backfill as run_backfill

    start, end = _parse_date(from_date, "--from"), _parse_date(to_date, "--to")
    if end < start:
        err.print(f"[red]--to {end} is before --from {start}[/red]")
        raise typer.Exit(2)
    with console.status(f"replaying {start} .. {end}"):
        outcomes = run_backfill(start, end, data_dir)
    last = outcomes[-1]
    if not last.success:
        err.print(f"[red]backfill failed[/red] in run {last.run_id} at: {', '.join(last.failed_steps) or 'unknown'}")
        raise typer.Exit(1)
    console.print(f"[green]backfill {start} .. {end} done[/green]: {len(outcomes)} runs")
    _print_summary(last.settings)


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]{option} {value!r} is not a date like 2026-11-22[/red]")
        raise typer.Exit(2) from None


@app.command()
def demo(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 42,
) -> None:
    """Generate a small network, run the whole pipeline on it and show what came out."""
    started = time.monotonic()
    settings = Settings.from_env(data_dir)
    # the demo starts from an empty lake and warehouse (only what Sellthrough itself writes is removed)
    for folder in (settings.raw_dir, settings.data_dir / "derived"):
        shutil.rmtree(folder, ignore_errors=True)
    for file in (settings.warehouse_path, settings.warehouse_path.with_name(settings.warehouse_path.name + ".wal")):
        file.unlink(missing_ok=True)
    generate(data_dir=data_dir, seed=seed, distributors=8, outlets=400, skus=30, days=123, start="2026-07-01")
    run(data_dir=data_dir, run_date=None, full_refresh=False)
    console.print(
        f"\nDemo done in {time.monotonic() - started:.0f} s. Analysts open "
        f"[bold]{settings.published_path}[/bold] read-only, e.g.\n"
        f"  python -c \"import duckdb; print(duckdb.connect('{settings.published_path}', read_only=True)"
        f".sql('{EXAMPLE_QUERY}'))\""
    )


@app.command()
def preview(
    file: Annotated[Path, typer.Argument(help="The file to read", exists=True, dir_okay=False)],
    kind: Annotated[str | None, typer.Option(help="Source kind (detected when omitted)")] = None,
    distributor: Annotated[str | None, typer.Option(help="Distributor code (its aliases and layout apply)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the rows that would load to this CSV")] = None,
    data_dir: DataDir = None,
) -> None:
    """Read one file exactly as the nightly load would, load nothing, and show what it would load."""
    from ingest.core.errors import FileRejected
    from ingest.core.lake import Lake
    from ingest.core.masters import MasterData
    from ingest.core.preview import preview_file

    settings = Settings.from_env(data_dir)
    masters = MasterData.from_lake(Lake(settings.raw_dir)) if settings.raw_dir.exists() else MasterData()
    try:
        result = preview_file(file, kind=kind, distributor_code=distributor, masters=masters)
    except FileRejected as rejected:
        if as_json:
            print(json.dumps({"file": str(file), "error": rejected.code, "message": rejected.message}))
        else:
            err.print(f"[red]{rejected.code}[/red]: {rejected.message}")
        raise typer.Exit(2) from None
    report = result.as_dict()
    if out is not None:
        result.rows().write_csv(out)
    if as_json:
        print(json.dumps(report, default=str))
        return
    table = Table(title=f"{file.name} as {report['kind']}")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("rows_read", "rows_loaded", "rows_quarantined", "rows_deduplicated", "rows_skipped"):
        table.add_row(key, str(report[key]))
    for key, value in report["totals"].items():
        table.add_row(f"totals.{key}", str(value))
    for reason, count in report["quarantine_reasons"].items():
        table.add_row(f"quarantined: {reason}", str(count))
    console.print(table)
    if result.result.quarantine.height:
        console.print(result.result.quarantine.select("_row_number", "reason").head(10))


@app.command()
def status(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, one object per row")] = False,
    today: Annotated[str | None, typer.Option("--today", help="Judge freshness as of this day (ISO date)")] = None,
) -> None:
    """Per distributor: last file, period, freshness against its cadence, quarantined rows, names to review."""
    from sellthrough.status import distributor_status

    day = _parse_date(today, "--today") if today else None
    try:
        frame = distributor_status(Settings.from_env(data_dir), today=day)
    except ValueError as problem:  # a bad config/cadence.yml
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(frame.to_dicts(), default=str))
        return
    if frame.height == 0:
        console.print("nothing loaded yet: run `sellthrough run`")
        return
    table = Table(title="Sources by distributor")
    shown = {
        "source_kind": "kind",
        "distributor_code": "dist.",
        "last_file": "last file",
        "period_start": "from",
        "period_end": "to",
        "expected_every_days": "every",
        "days_behind": "behind",
        "freshness": "fresh?",
        "files": "files",
        "files_failed": "failed",
        "rows_quarantined": "quar.",
        "files_to_review": "review files",
        "names_to_review": "review names",
    }
    fixed = {"source_kind", "distributor_code", "period_start", "period_end", "freshness"}
    for column, header in shown.items():
        table.add_column(
            header, overflow="fold", no_wrap=column in fixed, min_width=24 if column == "last_file" else None
        )
    for row in frame.iter_rows(named=True):
        style = "red" if row["freshness"] == "late" or row["files_failed"] else None
        style = style or ("yellow" if row["names_to_review"] else None)
        cells = {**row, "last_file": Path(row["last_file"]).name if row["last_file"] else None}
        table.add_row(*["" if cells[c] is None else str(cells[c]) for c in shown], style=style)
    Console().print(table)  # the terminal's width now (COLUMNS), not at import


@app.command("new-source")
def new_source(
    name: Annotated[str, typer.Argument(help="The new kind's name: a lower-case Python identifier")],
    description: Annotated[str | None, typer.Option(help="One line: what the files are")] = None,
) -> None:
    """Scaffold a new source kind (ingest package, expectations suite, dbt staging, test) that loads as is."""
    from sellthrough.scaffold import ScaffoldError, scaffold_source

    try:
        written = scaffold_source(name, description=description)
    except ScaffoldError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    for path in written:
        console.print(f"[green]wrote[/green] {path}")
    console.print(f"next: edit ingest/{name}/contract.py and reader.py to the real files; see docs/adding-a-source.md")


def _print_summary(settings: Settings) -> None:
    from sellthrough.summary import summarise

    summary = summarise(settings.published_path)
    console.print(
        f"files: {summary.files}  rows loaded: {summary.rows_loaded:,}  rows quarantined: {summary.rows_quarantined:,}"
    )
    if summary.quarantine_reasons:
        console.print("quarantine reasons: " + ", ".join(f"{r} {n}" for r, n in summary.quarantine_reasons))
    table = Table(title="Largest stock variances (reported - computed closing)")
    for column in ("distributor", "sku", "period", "computed", "reported", "variance", "variance %"):
        table.add_column(column)
    for row in summary.largest_variances:
        table.add_row(*[str(v) for v in row])
    console.print(table)
    console.print(f"marts ({len(summary.marts)}): {', '.join(summary.marts)}")
    console.print(f"published: {settings.published_path}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
