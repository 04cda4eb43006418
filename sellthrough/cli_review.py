"""`sellthrough review list | accept | export | import | confirm | confirm-outlet | ignore`: work the queue of
unmatched names, one by one, in bulk above a score, or in a sheet."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console

from ingest.core.lake import Lake
from ingest.core.reviews import ReviewStore
from sellthrough.cli_output import TableOut, print_line, print_table
from sellthrough.config import Settings

review_app = typer.Typer(help="The review queue: unmatched SKU and outlet names, and the decisions on them.")
err = Console(stderr=True, soft_wrap=True)  # whole lines in pipes and logs; the terminal wraps them

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data folder (default: $SELLTHROUGH_DATA_DIR or ./data)")
]
Distributor = Annotated[str, typer.Option("--distributor", help="Distributor code, e.g. D001")]
Name = Annotated[str, typer.Option("--name", help="The name exactly as the queue shows it")]
By = Annotated[str | None, typer.Option("--by", help="Who decides (default: $SELLTHROUGH_USER or the login)")]


def _who(by: str | None) -> str:
    return by or os.environ.get("SELLTHROUGH_USER") or getpass.getuser()


def _stores(data_dir: Path | None) -> tuple[Lake, ReviewStore, Settings]:
    settings = Settings.from_env(data_dir)
    return Lake(settings.raw_dir), ReviewStore.beside(settings.raw_dir), settings


Kind = Annotated[str | None, typer.Option("--kind", help="sku or outlet")]
OnlyDistributor = Annotated[str | None, typer.Option("--distributor", help="Only this distributor")]


def _check_kind(kind: str | None) -> None:
    if kind not in (None, "sku", "outlet"):
        err.print(f"[red]--kind {kind!r}: expected sku or outlet[/red]")
        raise typer.Exit(2)


@review_app.command("list")
def list_items(
    distributor: OnlyDistributor = None,
    kind: Kind = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also names already resolved or ignored")] = False,
    long: Annotated[
        bool, typer.Option("--long", help="Suggestions with their names, an example line, the status")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list")] = False,
    data_dir: DataDir = None,
) -> None:
    """One line per distinct unmatched name per distributor: times seen, the top 3 suggestions with scores."""
    from sellthrough.review_queue import review_queue

    _check_kind(kind)
    lake, store, _ = _stores(data_dir)
    items = review_queue(lake, store, distributor=distributor, kind=kind, include_decided=show_all)
    if as_json:
        print(json.dumps([i.as_dict() for i in items], default=str, ensure_ascii=False))
        return
    if not items:
        print_line("the review queue is empty")
        return
    pending = sum(i.status == "pending" for i in items)
    if long:
        print_table(_long_table(items, pending))
        return
    headers = ["kind", "dist.", "name", "seen", "files", "top suggestions (score)"]
    table = TableOut(f"Review queue: {pending} pending", [*headers, *(["status"] if show_all else [])])
    for item in items:
        suggested = "  ".join(f"{s['code']} {s['score']:.0f}" for s in item.suggestions)
        status = [item.status + (f" -> {item.resolved_to}" if item.resolved_to else "")] if show_all else []
        table.add(item.review_kind, item.distributor_code, item.name, item.occurrences, item.files, suggested, *status)
    print_table(table)
    print_line(
        "next: `sellthrough review accept --min-score 90` (a dry run), `review export queue.xlsx` to decide in a "
        "sheet, or `review confirm --distributor D --name N --sku S` one by one"
    )


def _long_table(items: list, pending: int) -> TableOut:
    table = TableOut(
        f"Review queue: {pending} pending",
        ["kind", "distributor", "name", "seen", "files", "suggestions (score)", "example", "status"],
    )
    for item in items:
        suggested = "; ".join(f"{s['code']} {s['name']} ({s['score']:.0f})" for s in item.suggestions)
        status = item.status + (f" -> {item.resolved_to}" if item.resolved_to else "")
        example = " ".join(item.example_raw.split())[:80]
        table.add(
            item.review_kind, item.distributor_code, item.name, item.occurrences, item.files, suggested, example, status
        )
    return table


@review_app.command()
def accept(
    min_score: Annotated[float, typer.Option("--min-score", help="Accept a top suggestion scoring at least this")] = 90,
    min_margin: Annotated[
        float, typer.Option("--min-margin", help="... and leading the second suggestion by at least this")
    ] = 5,
    distributor: OnlyDistributor = None,
    kind: Kind = None,
    apply: Annotated[bool, typer.Option("--apply", help="Record the decisions (without it: a dry run)")] = False,
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Accept the top suggestion of every pending name that scores high enough: a dry run first, --apply records."""
    from sellthrough.review_queue import acceptable, review_queue

    _check_kind(kind)
    lake, store, _ = _stores(data_dir)
    chosen = acceptable(review_queue(lake, store, distributor=distributor, kind=kind), min_score, min_margin)
    if not chosen:
        print_line(f"no pending name has a top suggestion scoring >= {min_score:g} with a lead >= {min_margin:g}")
        return
    verb = "accepted" if apply else "would accept"
    table = TableOut(
        f"{len(chosen)} names {verb} (top suggestion >= {min_score:g}, ahead of the next by >= {min_margin:g})",
        ["kind", "dist.", "name", "seen", "accept", "score", "next"],
    )
    for a in chosen:
        runner_up = "" if a.runner_up is None else f"{a.runner_up:.0f}"
        item = a.item
        table.add(item.review_kind, item.distributor_code, item.name, item.occurrences, a.meaning, a.score, runner_up)
    print_table(table)
    if not apply:
        print_line("a dry run: nothing recorded. Run again with --apply to record these decisions.")
        return
    who = _who(by)
    for a in chosen:
        if a.item.review_kind == "sku":
            store.confirm_sku(a.item.distributor_code, a.item.name, a.code, who)
        else:
            store.confirm_outlet(a.item.distributor_code, a.item.name, a.code, who)
    print_line(f"[green]recorded[/green] {len(chosen)} decisions in {store.folder}; later files map these names")


@review_app.command("export")
def export_queue(
    file: Annotated[Path, typer.Argument(help="The sheet to write: a .csv or an .xlsx file")],
    distributor: OnlyDistributor = None,
    kind: Kind = None,
    data_dir: DataDir = None,
) -> None:
    """Write the pending names to a sheet to fill in (decision: 1/2/3, a code, or ignore), then `review import` it."""
    from sellthrough.review_queue import review_queue
    from sellthrough.review_sheet import SheetError, export_sheet

    _check_kind(kind)
    lake, store, _ = _stores(data_dir)
    items = review_queue(lake, store, distributor=distributor, kind=kind)
    try:
        written = export_sheet(items, file)
    except SheetError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    print_line(
        f"[green]wrote[/green] {len(items)} names to {written}. Fill in `decision` (1, 2 or 3: that suggestion; a "
        "code; or `ignore`, with a `note`), then `sellthrough review import` it."
    )


@review_app.command("import")
def import_sheet(
    file: Annotated[Path, typer.Argument(help="A sheet written by `review export`, with decisions filled in")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the sheet and show the decisions; record none")
    ] = False,
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Record the decisions of a filled-in sheet: every row is checked first, and one bad row records nothing."""
    from ingest.core.masters import MasterData
    from sellthrough.review_queue import review_queue
    from sellthrough.review_sheet import SheetError, plan_import, read_sheet

    lake, store, _ = _stores(data_dir)
    try:
        rows = read_sheet(file)
        items = review_queue(lake, store, include_decided=True)
        decisions = plan_import(rows, items, MasterData.from_lake(lake, store))
    except SheetError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    if not decisions:
        print_line(f"{file}: no row has a decision; nothing recorded")
        return
    table = TableOut(
        f"{len(decisions)} decisions {'to record (dry run)' if dry_run else 'recorded'} from {file.name}",
        ["row", "kind", "dist.", "name", "decision", "note"],
    )
    for d in decisions:
        table.add(d.row, d.item.review_kind, d.item.distributor_code, d.item.name, d.code or "ignore", d.note)
    if not dry_run:
        who = _who(by)
        for d in decisions:
            kind, distributor, name = d.item.review_kind, d.item.distributor_code, d.item.name
            if d.action == "ignore":
                store.ignore(kind, distributor, name, d.note, who)
            elif kind == "sku":
                store.confirm_sku(distributor, name, d.code or "", who)
            else:
                store.confirm_outlet(distributor, name, d.code or "", who)
    print_table(table)


def _refuse_unless_queued(lake: Lake, store: ReviewStore, review_kind: str, distributor: str, name: str) -> None:
    """A decision is only taken on a name the queue holds (pending or decided before)."""
    from sellthrough.review_queue import find_item, not_in_queue_message, review_queue

    items = review_queue(lake, store, distributor=distributor, kind=review_kind, include_decided=True)
    if find_item(items, review_kind, distributor, name) is None:
        err.print(f"[red]{not_in_queue_message(review_kind, distributor, name)}[/red]; nothing recorded")
        raise typer.Exit(2)


@review_app.command()
def confirm(
    distributor: Distributor,
    name: Name,
    sku: Annotated[str, typer.Option("--sku", help="The brand's SKU code the name means")],
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Record that a distributor's item name is a SKU: every later file of that distributor maps it."""
    from ingest.core.masters import MasterData

    lake, store, _ = _stores(data_dir)
    masters = MasterData.from_lake(lake, store)
    if sku not in set(masters.skus["sku_code"].to_list()):
        err.print(f"[red]{sku!r} is not in the SKU master[/red]; nothing recorded")
        raise typer.Exit(2)
    _refuse_unless_queued(lake, store, "sku", distributor, name)
    _record(lambda: store.confirm_sku(distributor, name, sku, _who(by)), store.folder / "sku_aliases.csv")


@review_app.command("confirm-outlet")
def confirm_outlet(
    distributor: Distributor,
    name: Name,
    outlet: Annotated[str, typer.Option("--outlet", help="The brand's outlet code the name means")],
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Record that an outlet name written in a distributor's chats is an outlet of the outlet master."""
    from ingest.core.masters import MasterData

    lake, store, _ = _stores(data_dir)
    outlets = MasterData.from_lake(lake, store).outlets
    known = outlets.filter(pl.col("distributor_code") == distributor)["outlet_code"].to_list()
    if outlet not in known:
        err.print(f"[red]{outlet!r} is not an outlet of {distributor} in the outlet master[/red]; nothing recorded")
        raise typer.Exit(2)
    _refuse_unless_queued(lake, store, "outlet", distributor, name)
    _record(lambda: store.confirm_outlet(distributor, name, outlet, _who(by)), store.folder / "outlet_aliases.csv")


@review_app.command()
def ignore(
    distributor: Distributor,
    name: Name,
    kind: Annotated[str, typer.Option("--kind", help="sku or outlet")] = "sku",
    note: Annotated[str, typer.Option("--note", help="Why (e.g. 'not our product')")] = "",
    by: By = None,
    data_dir: DataDir = None,
) -> None:
    """Take a name off the queue without mapping it: its rows stay quarantined / needing review."""
    lake, store, _ = _stores(data_dir)
    if kind not in ("sku", "outlet"):
        err.print(f"[red]--kind {kind!r}: expected sku or outlet[/red]")
        raise typer.Exit(2)
    _refuse_unless_queued(lake, store, kind, distributor, name)
    _record(lambda: store.ignore(kind, distributor, name, note, _who(by)), store.folder / "ignored.csv")


def _record(decide: Callable[[], dict], path: Path) -> None:
    try:
        record = decide()
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    print_line(f"[green]recorded[/green] in {path}: {json.dumps(record, ensure_ascii=False)}")
