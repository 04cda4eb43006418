"""The `sellthrough` command line: generate, demo, run, backfill, preview, status, review, dashboard, new-source,
incentive-plan."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from datetime import date, datetime
from datetime import time as dt_time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sellthrough.cli_output import TableOut, print_line, print_table, stdout_console
from sellthrough.cli_review import review_app
from sellthrough.config import Settings

if TYPE_CHECKING:
    from orchestration.pipeline import RunOutcome

app = typer.Typer(help="Sellthrough: distributor files in, trusted secondary-sales marts out.", no_args_is_help=True)
app.add_typer(review_app, name="review")
console = Console()
err = Console(stderr=True, soft_wrap=True)  # whole lines in pipes and logs; the terminal wraps them

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data folder (default: $SELLTHROUGH_DATA_DIR or ./data)")
]


DASHBOARD_URL = "http://localhost:8501"
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
    realistic_demand: Annotated[
        bool, typer.Option(help="Trend, regional seasons, moving festivals, promotions, new and niche SKUs")
    ] = False,
    supply_disruptions: Annotated[
        bool, typer.Option(help="The brand's supply fails now and then: depot shortages of a SKU, credit holds")
    ] = False,
) -> None:
    """Write a sample distribution network's files to the inbox, and its truth beside it."""
    try:
        from generator import NetworkConfig
        from generator import generate as run_generator
    except ModuleNotFoundError as missing:  # the generator's extra (xlwt writes the old .xls exports)
        err.print(
            f"[red]The sample-network generator needs {missing.name!r}: "
            "pip install 'sellthrough\\[generator]' (make setup installs it)[/red]"
        )
        raise typer.Exit(2) from None

    settings = Settings.from_env(data_dir)
    config = NetworkConfig(
        seed=seed,
        distributors=distributors,
        outlets=outlets,
        skus=skus,
        days=days,
        start=date.fromisoformat(start),
        realistic_demand=realistic_demand,
        supply_disruptions=supply_disruptions,
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
    full_tests: Annotated[
        bool,
        typer.Option(
            "--full-tests",
            help="Run every data test and mart suite on whole tables (the schedule does on Sundays; other nights"
            " test incremental models on the rows built since the last publish)",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object")] = False,
) -> None:
    """The nightly job: load new inbox files, build and test the warehouse, publish it. Non-zero on failure.
    Prints what this run loaded (files, rows, quarantine by kind and reason) and the marts there are."""
    from orchestration.pipeline import run_nightly
    from sellthrough.summary import committed_load_ids

    started = time.monotonic()
    day = _parse_date(run_date, "--date") if run_date else None
    settings = Settings.from_env(data_dir)
    before = committed_load_ids(settings.raw_dir)
    with _ingest_progress(settings, before, day), _job_log(settings) as log:
        outcome = run_nightly(data_dir, run_date=day, full_refresh=full_refresh, full_tests=full_tests)
    if as_json:
        print(json.dumps(_run_json(settings, before, outcome, time.monotonic() - started, log), default=str))
        if not outcome.success:
            raise typer.Exit(1)
        return
    _print_run_loads(settings, before)
    if not outcome.success:
        _print_log_tail(log)
        err.print(f"[red]run {outcome.run_id} failed[/red] at: {', '.join(outcome.failed_steps) or 'unknown step'}")
        _print_failure(outcome)
        raise typer.Exit(1)
    print_line(
        f"[green]run {outcome.run_id} succeeded[/green] in {time.monotonic() - started:.0f} s"
        + (f" (files received by {day})" if day else "")
    )
    _print_warehouse(settings)


@app.command()
def backfill(
    from_date: Annotated[str, typer.Option("--from", help="First day to replay (ISO date)")],
    to_date: Annotated[str, typer.Option("--to", help="Last day to replay (ISO date)")],
    data_dir: DataDir = None,
) -> None:
    """Replay the inbox day by day: each day loads the files received by the end of that day (ingest only), then
    the last day runs the whole nightly job once (ingest, dbt build, publish). Non-zero on failure."""
    from orchestration.pipeline import backfill as run_backfill
    from sellthrough.summary import committed_load_ids

    start, end = _parse_date(from_date, "--from"), _parse_date(to_date, "--to")
    if end < start:
        err.print(f"[red]--to {end} is before --from {start}[/red]")
        raise typer.Exit(2)
    settings = Settings.from_env(data_dir)
    before = committed_load_ids(settings.raw_dir)
    with _ingest_progress(settings, before, end), _job_log(settings) as log:
        outcomes = run_backfill(start, end, data_dir)
    _print_run_loads(settings, before)
    last = outcomes[-1]
    if not last.success:
        _print_log_tail(log)
        err.print(f"[red]backfill failed[/red] in run {last.run_id} at: {', '.join(last.failed_steps) or 'unknown'}")
        _print_failure(last)
        raise typer.Exit(1)
    print_line(f"[green]backfill {start} .. {end} done[/green]: {len(outcomes)} runs")
    _print_warehouse(settings)


JOB_LOGS_KEPT = 30


@contextmanager
def _job_log(settings: Settings) -> Iterator[Path]:
    """dbt's own log lines (dagster-dbt echoes each one to stdout) go to `<data dir>/logs/run-<time>.log`, not
    between the progress and the summary; the last JOB_LOGS_KEPT logs are kept."""
    folder = settings.data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run-{datetime.now():%Y%m%dT%H%M%S}.log"
    with path.open("a", encoding="utf-8") as handle, redirect_stdout(handle):
        yield path
    for old in sorted(folder.glob("run-*.log"))[:-JOB_LOGS_KEPT]:
        old.unlink(missing_ok=True)


def _print_log_tail(log: Path, lines: int = 30) -> None:
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    err.print(f"the job's log ({log}) ends:", highlight=False)
    for line in tail:
        print(line, file=sys.stderr)


@contextmanager
def _ingest_progress(settings: Settings, before: set[str], received_by: date | None) -> Iterator[None]:
    """Files loaded so far against the files waiting: a progress bar on a terminal, a line per tenth elsewhere."""
    from sellthrough.run_progress import LedgerWatch, PlainLines, files_waiting

    until = datetime.combine(received_by, dt_time.max) if received_by else None
    expected = files_waiting(settings, until)
    out = stdout_console()
    if not out.is_terminal:
        print(f"ingest: {expected} new files in {settings.inbox_dir}", file=sys.stderr, flush=True)
        with LedgerWatch(settings.raw_dir, before, expected, PlainLines(_stderr_line)):
            yield
        return
    with _progress() as progress:
        task = progress.add_task("ingest", total=expected or None)

        def report(done: int, total: int, last: str | None) -> None:
            progress.update(task, completed=done, description=f"ingest {last or ''}"[:60])
            if done >= total:
                progress.update(task, description="dbt build, tests and publish")

        with LedgerWatch(settings.raw_dir, before, expected, report):
            yield


def _print_failure(outcome: RunOutcome) -> None:
    """The failure in one paragraph (failed checks, their files, what was published) and where the alert is."""
    if outcome.error:
        err.print(outcome.error, markup=False, highlight=False)
    if outcome.alert_path:
        err.print(f"alert: {outcome.alert_path} (full errors inside)", markup=False, highlight=False)


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
    run(data_dir=data_dir, run_date=None, full_refresh=False, full_tests=False)
    print_line(
        f"\nDemo done in {time.monotonic() - started:.0f} s. Analysts open "
        f"[bold]{settings.published_path}[/bold] read-only, e.g.\n"
        f"  python -c \"import duckdb; print(duckdb.connect('{settings.published_path}', read_only=True)"
        f".sql('{EXAMPLE_QUERY}'))\""
    )
    console.print(
        f"Dashboard: [bold]sellthrough dashboard[/bold] (or make dashboard), then open [bold]{DASHBOARD_URL}[/bold]"
    )


@app.command()
def preview(
    file: Annotated[Path, typer.Argument(help="The file to read", exists=True, dir_okay=False)],
    kind: Annotated[str | None, typer.Option(help="Source kind (detected when omitted)")] = None,
    distributor: Annotated[
        str | None,
        typer.Option(help="Distributor (or chain) code: its aliases and layout apply (taken from an inbox path)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object", metavar="")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the rows that would load to this CSV (formula-safe)")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run one file through exactly what the nightly load runs (read, row checks, contract, expectations, period),
    load nothing, and show what it would load, what it would quarantine and why, and how its columns were read."""
    from expectations.runner import GE_VALIDATOR
    from ingest.core.cell_safety import write_csv
    from ingest.core.lake import Lake
    from ingest.core.preview import PreviewRejected, preview_file

    settings = Settings.from_env(data_dir)
    lake = Lake(settings.raw_dir)
    try:
        result = preview_file(
            file,
            kind=kind,
            distributor_code=distributor,
            lake=lake,
            extra_layouts_dir=settings.layouts_dir,
            validator=GE_VALIDATOR,
        )
    except PreviewRejected as rejected:
        if as_json:
            report = {"file": str(file), "error": rejected.code, "message": rejected.message}
            print(json.dumps({**report, "warnings": list(rejected.warnings)}))
        else:
            for warning in rejected.warnings:
                err.print(f"[yellow]warning[/yellow]: {warning}")
            err.print(f"[red]{rejected.code}[/red]: the night would reject the file whole. {rejected.message}")
        raise typer.Exit(2) from None
    report = result.as_dict()
    if out is not None:
        write_csv(result.rows(), out)
    if as_json:
        print(json.dumps(report, default=str))
        return
    _print_preview(report, file, out)


def _print_preview(report: dict, file: Path, out: Path | None) -> None:
    wide = Console(soft_wrap=False)  # the terminal's width now; folded cells, never cut
    for warning in report["warnings"]:
        wide.print(f"[yellow]warning[/yellow]: {warning}")
    period = report["period"]
    wide.print(
        f"[bold]{file.name}[/bold] as {report['kind']}, distributor {report['distributor_code']}: {report['status']}"
    )
    summary = Table()
    summary.add_column("what")
    summary.add_column("value", justify="right", overflow="fold")
    for key in ("rows_read", "rows_loaded", "rows_quarantined", "rows_deduplicated", "rows_skipped"):
        summary.add_row(key.replace("_", " "), f"{report[key]:,}")
    summary.add_row(
        "period", f"{period['start']} .. {period['end']} ({period['declared_by']})" if period["start"] else "none"
    )
    for key, value in report["totals"].items():
        summary.add_row(f"totals: {key}", str(value))
    wide.print(summary)
    mapping = report["mapping"]
    if mapping is not None:
        where = f"sheet {mapping['sheet']!r}, " if mapping["sheet"] else ""
        where += f"header on row {mapping['header_row']}" if mapping["header_row"] else "no header row: by position"
        wide.print(f"columns read ({where}):")
        columns = Table()
        columns.add_column("field")
        columns.add_column("column in the file", overflow="fold")
        for name, header in mapping["fields"].items():
            columns.add_row(name, header)
        wide.print(columns)
        if mapping["unmapped"]:
            wide.print("not read (no field takes them): " + ", ".join(mapping["unmapped"]))
    if report["layout_files"]:
        wide.print("layout: " + ", ".join(report["layout_files"]))
    if report["quarantine"]:
        wide.print("quarantined rows by reason:")
        reasons = Table()
        reasons.add_column("reason")
        reasons.add_column("rows", justify="right")
        reasons.add_column("first rows", overflow="fold")
        reasons.add_column("first reason in full", overflow="fold", ratio=1)
        for item in report["quarantine"]:
            rows = ", ".join(str(r) for r in item["example_rows"])
            more = f" (+{item['rows'] - len(item['example_rows'])})" if item["rows"] > len(item["example_rows"]) else ""
            reasons.add_row(item["reason_code"], f"{item['rows']:,}", rows + more, item["example_reason"] or "")
        wide.print(reasons)
    for warning in report["expectation_warnings"]:
        wide.print(f"[yellow]expectation warning[/yellow] {warning['expectation']}: {warning['observed']}")
    if report["already_loaded"]:
        done = report["already_loaded"]
        wide.print(
            f"[yellow]already loaded[/yellow]: these bytes were loaded as {done['load_id']} ({done['file_name']}, "
            f"{done['loaded_at']}); the night skips this file"
        )
    wide.print("ran what the nightly load runs: " + "; ".join(report["ran"]))
    if out is not None:
        wide.print(f"wrote the {report['rows_loaded']:,} rows that would load to {out}")


@app.command()
def status(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, one object per row")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", "--today", help="Judge freshness as of this day (ISO date)")
    ] = None,
    against_today: Annotated[
        bool, typer.Option("--against-today", help="Judge freshness against today's date, not the data's as-of day")
    ] = False,
) -> None:
    """Per distributor: last file, period, freshness against its cadence, quarantined rows, names to review.
    Freshness is judged as of the data's latest business date unless --against-today or --as-of says otherwise."""
    from sellthrough.status import distributor_status

    day = _parse_date(as_of, "--as-of") if as_of else None
    try:
        frame = distributor_status(Settings.from_env(data_dir), today=day, against_today=against_today)
    except ValueError as problem:  # a bad config/cadence.yml
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(frame.to_dicts(), default=str))
        return
    if frame.height == 0:
        print_line("nothing loaded yet: run `sellthrough run`")
    else:
        print_table(status_table(frame))
    skipped = skipped_table(Settings.from_env(data_dir))
    if skipped is not None:
        print_table(skipped)


STATUS_COLUMNS = {
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
AS_OF_WORDS = {"data": "the data's latest business date", "today": "today", "given": "the day given"}


def status_table(frame: pl.DataFrame) -> TableOut:
    """`status`'s rows as a table; the title says the day freshness is judged against, and why that day."""
    as_of, basis = frame.select("as_of", "as_of_basis").row(0)
    table = TableOut(
        f"Sources by distributor, freshness as of {as_of} ({AS_OF_WORDS[basis]})", list(STATUS_COLUMNS.values())
    )
    for row in frame.iter_rows(named=True):
        style = "red" if row["freshness"] == "late" or row["files_failed"] else None
        style = style or ("yellow" if row["names_to_review"] else None)
        cells = {**row, "last_file": Path(row["last_file"]).name if row["last_file"] else None}
        table.add(*[cells[c] for c in STATUS_COLUMNS], style=style)
    return table


def skipped_table(settings: Settings) -> TableOut | None:
    """Inbox files the next run will not load, with why (sellthrough.status.skipped_files); None when there are none."""
    from sellthrough.status import skipped_files

    skipped = skipped_files(settings)
    if skipped.height == 0:
        return None
    table = TableOut(f"Skipped inbox files ({skipped.height})", ["file", "why"])
    for name, reason in skipped.select("file_name", "reason").iter_rows():
        table.add(name, reason, style="yellow")
    return table


@app.command()
def dashboard(
    data_dir: DataDir = None,
    published: Annotated[
        Path | None, typer.Option(help="The published warehouse (default: <data dir>/published/sellthrough.duckdb)")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8501,
) -> None:
    """Serve the dashboard (Streamlit) on the published warehouse, read-only; it follows each night's publish."""
    import subprocess

    from dashboard import server

    settings = Settings.from_env(data_dir)
    path = (published or settings.published_path).resolve()
    if not path.exists():
        err.print(f"[yellow]no published warehouse at {path} yet: the dashboard waits for the first run[/yellow]")
    console.print(f"dashboard on [bold]{server.url(host, port)}[/bold] (reading {path}; Ctrl-C stops it)")
    try:
        code = subprocess.run(server.command(host, port), env=server.environment(path, settings.data_dir)).returncode
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@app.command("new-source")
def new_source(
    name: Annotated[str, typer.Argument(help="The new kind's name: a lower-case Python identifier")],
    description: Annotated[str | None, typer.Option(help="One line: what the files are")] = None,
    domain: Annotated[
        str, typer.Option(help="Marts domain folder of its first mart: sales, stock, field, schemes, incentives")
    ] = "sales",
) -> None:
    """Scaffold a new source kind (ingest package, expectations suite, dbt staging, intermediate and mart, test)
    that loads and reaches its mart as is."""
    from sellthrough.scaffold import ScaffoldError, scaffold_source

    try:
        written = scaffold_source(name, description=description, domain=domain)
    except ScaffoldError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    for path in written:
        console.print(f"[green]wrote[/green] {path}")
    console.print(f"next: edit ingest/{name}/contract.py and reader.py to the real files; see docs/adding-a-source.md")


def _run_json(settings: Settings, before: set[str], outcome: RunOutcome, seconds: float, log: Path) -> dict:
    """What `run --json` prints: the run, what it loaded, and the published warehouse's variances and marts."""
    from sellthrough.summary import run_loads, warehouse_summary

    loads = run_loads(settings.raw_dir, before)
    warehouse = warehouse_summary(settings.published_path) if outcome.success else None
    return {
        "run_id": outcome.run_id,
        "success": outcome.success,
        "failed_steps": outcome.failed_steps,
        "seconds": round(seconds, 1),
        "files": loads.files,
        "by_kind": loads.by_kind.to_dicts(),
        "quarantine": loads.quarantine.to_dicts(),
        "files_failed": loads.failed.to_dicts(),
        "largest_variances": [list(v) for v in warehouse.largest_variances] if warehouse else [],
        "marts": warehouse.marts if warehouse else [],
        "published": str(settings.published_path),
        "log": str(log),
    }


def _stderr_line(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _print_run_loads(settings: Settings, before: set[str]) -> None:
    """What this run loaded: files, rows and quarantined rows per kind, quarantine by kind and reason, rejections."""
    from sellthrough.summary import run_loads

    loads = run_loads(settings.raw_dir, before)
    if loads.files == 0:
        print_line("this run loaded no new files")
        return
    table = TableOut(
        f"This run: {loads.files} files",
        ["kind", "files loaded", "files failed", "rows read", "rows loaded", "rows quarantined", "rows deduplicated"],
    )
    for row in loads.by_kind.iter_rows():
        table.add(*row, style="red" if row[2] else None)
    print_table(table)
    if loads.quarantine.height:
        reasons = TableOut("Rows quarantined by this run", ["kind", "reason", "rows"])
        for row in loads.quarantine.iter_rows():
            reasons.add(*row)
        print_table(reasons)
    if loads.failed.height:
        failed = TableOut("Files rejected by this run", ["file", "error", "why"])
        for row in loads.failed.iter_rows():
            failed.add(*row, style="red")
        print_table(failed)


def _print_warehouse(settings: Settings) -> None:
    """The largest stock variances and the marts of the published warehouse."""
    from sellthrough.summary import warehouse_summary

    summary = warehouse_summary(settings.published_path)
    if summary.largest_variances:
        table = TableOut(
            "Largest stock variances (reported - computed closing)",
            ["distributor", "sku", "period", "computed", "reported", "variance", "variance %", "likely cause"],
        )
        for row in summary.largest_variances:
            table.add(*row)
        print_table(table)
    for prefix, words in (("fct_", "facts"), ("dim_", "dimensions"), ("kpi_", "KPI marts")):
        names = [m for m in summary.marts if m.startswith(prefix)]
        print_line(f"{words} ({len(names)}): {', '.join(names)}")
    print_line(f"published: {settings.published_path}")
    logs = sorted((settings.data_dir / "logs").glob("run-*.log"))
    if logs:
        print_line(f"dbt's log of this run: {logs[-1]}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())


@app.command("incentive-plan")
def incentive_plan(
    data_dir: DataDir = None,
    path: Annotated[
        Path | None, typer.Argument(help="A plan file to check (default: the one the data folder uses)")
    ] = None,
    start_from_default: Annotated[
        bool, typer.Option("--start-from-default", help="Copy the shipped plan to <data dir>/config/ to edit it")
    ] = False,
) -> None:
    """Check an incentive plan (YAML) and show what it pays; the nightly run reads the data folder's."""
    from sellthrough.incentives.plan import DEFAULT_PLAN, PLAN_FILE, PlanError, load_plan, plan_path

    settings = Settings.from_env(data_dir)
    if start_from_default:
        target = settings.config_dir / PLAN_FILE
        if target.exists():
            err.print(f"[red]{target} exists: edit it, or move it away first[/red]")
            raise typer.Exit(2)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DEFAULT_PLAN, target)
        console.print(f"[green]wrote[/green] {target}")
        path = target
    path = path or plan_path(settings.config_dir)
    try:
        plan = load_plan(path)
    except PlanError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    console.print(f"{path}: valid")
    for rep in plan.rep_plans:
        slabs = ", ".join(f"from {s.from_pct:g}%: {s.payout_pct:g}% + {s.rate:g}/pt" for s in rep.slabs)
        console.print(
            f"rep plan [bold]{rep.name}[/bold] from {rep.effective_from}: {rep.target_measure} target, "
            f"{rep.target_incentive:g} at 100%, cap {'none' if rep.cap_pct is None else f'{rep.cap_pct:g}%'}; {slabs}"
        )
    for programme in plan.retailer_programmes:
        slabs = ", ".join(f"from {s.from_amount:g}: {s.payout_pct:g}%" for s in programme.loyalty_slabs)
        console.print(f"retailer programme [bold]{programme.name}[/bold] from {programme.effective_from}: {slabs}")
