"""`sellthrough review list | confirm | confirm-outlet | ignore`: work the queue of unmatched names."""

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
from rich.table import Table

from ingest.core.lake import Lake
from ingest.core.reviews import ReviewStore
from sellthrough.config import Settings

review_app = typer.Typer(help="The review queue: unmatched SKU and outlet names, and the decisions on them.")
console = Console()
err = Console(stderr=True)

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


@review_app.command("list")
def list_items(
    distributor: Annotated[str | None, typer.Option("--distributor", help="Only this distributor")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="sku or outlet")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also names already resolved or ignored")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list")] = False,
    data_dir: DataDir = None,
) -> None:
    """Each distinct unmatched name per distributor: occurrences, suggestions with scores, an example."""
    from sellthrough.review_queue import review_queue

    if kind not in (None, "sku", "outlet"):
        err.print(f"[red]--kind {kind!r}: expected sku or outlet[/red]")
        raise typer.Exit(2)
    lake, store, _ = _stores(data_dir)
    items = review_queue(lake, store, distributor=distributor, kind=kind, include_decided=show_all)
    if as_json:
        print(json.dumps([i.as_dict() for i in items], default=str, ensure_ascii=False))
        return
    if not items:
        console.print("the review queue is empty")
        return
    table = Table(title=f"Review queue ({sum(i.status == 'pending' for i in items)} pending)")
    for column in ("kind", "distributor", "name", "seen", "files", "suggestions (score)", "example", "status"):
        table.add_column(column, overflow="fold")
    for item in items:
        suggested = "\n".join(f"{s['code']} {s['name']} ({s['score']:.0f})" for s in item.suggestions)
        status = item.status + (f" -> {item.resolved_to}" if item.resolved_to else "")
        table.add_row(
            item.review_kind,
            item.distributor_code,
            item.name,
            str(item.occurrences),
            str(item.files),
            suggested,
            item.example_raw[:80],
            status,
        )
    console.print(table)


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
    _, store, _ = _stores(data_dir)
    _record(lambda: store.ignore(kind, distributor, name, note, _who(by)), store.folder / "ignored.csv")


def _record(decide: Callable[[], dict], path: Path) -> None:
    try:
        record = decide()
    except ValueError as problem:
        err.print(f"[red]{problem}[/red]")
        raise typer.Exit(2) from None
    console.print(f"[green]recorded[/green] in {path}: {json.dumps(record, ensure_ascii=False)}")
